using System.Text.Json;
using System.Text.Json.Nodes;
using MediaStudio.Jobs;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Generation;
using MediaStudio.Media.Images;
using MediaStudio.Media.Images.Metadata;

namespace MediaStudio.Web.Tests.Components.Pages.Create;

/// <summary>A stand-in <c>text-to-image</c> handler that paints flat colours instead of sampling, publishing its
/// outputs exactly as the Create page expects the real one to: slots <c>image-0..N-1</c>, <c>image/png</c> with the
/// <c>parameters</c> and <c>mediastudio</c> chunks, and <c>MetadataJson</c> = the spec with the seed used.</summary>
public sealed class PaintingHandler : IJobHandler
{
    public string Kind => "text-to-image";

    public string Queue => Queues.Render;

    public IReadOnlyList<string> Validate(string specJson)
    {
        try
        {
            return TextToImageSpec.Parse(specJson).Validate();
        }
        catch (JsonException e)
        {
            return [$"spec: not valid JSON ({e.Message})"];
        }
    }

    public async Task RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var spec = TextToImageSpec.Parse(execution.Job.SpecJson);
        var first = spec.Seed ?? 1000;
        for (var i = 0; i < spec.Count; i++)
        {
            var seed = first + i;
            var image = new RgbImage(spec.Width, spec.Height);
            Array.Fill(image.Pixels, (byte)(seed % 256));
            var info = InfoText.Create(spec.Prompt, spec.NegativePrompt, spec.Steps, A1111Samplers.ToA1111(spec.Sampler), spec.Guidance, seed, spec.Width, spec.Height, "painter");
            using var specJson = JsonDocument.Parse(spec.ToJson());
            var record = new StudioImageRecord(Kind, specJson.RootElement.Clone(), seed, new Dictionary<string, string> { ["painter"] = "1" });
            using var png = new MemoryStream();
            ImageSettings.EncodePng(image, png, info, record);
            png.Position = 0;
            var metadata = JsonNode.Parse(spec.ToJson())!.AsObject();
            metadata["seed"] = seed;
            await execution.PublishOutputAsync($"image-{i}", png, "image/png", new OutputFacts($"image-{i}.png", spec.Width, spec.Height, MetadataJson: metadata.ToJsonString()), cancellationToken);
            await execution.Progress.ReportAsync("painting", (i + 1.0) / spec.Count, null, cancellationToken);
        }
    }
}
