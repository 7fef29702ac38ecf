using System.Text.Json;
using MediaStudio.Jobs;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Generation;
using MediaStudio.Media.Images;

namespace MediaStudio.Web.Tests.Components.Pages.Batch;

/// <summary>A stand-in <c>batch-render</c> handler that publishes what the Batch page expects of the real one, without
/// sampling: a flat <c>contact-sheet</c> PNG and a <c>zip</c> archive.</summary>
public sealed class SheetHandler : IJobHandler
{
    public string Kind => "batch-render";

    public string Queue => Queues.Render;

    public IReadOnlyList<string> Validate(string specJson)
    {
        try
        {
            return BatchRenderSpec.Parse(specJson).Validate();
        }
        catch (JsonException e)
        {
            return [$"spec: not valid JSON ({e.Message})"];
        }
    }

    public async Task RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var spec = BatchRenderSpec.Parse(execution.Job.SpecJson);
        var sheet = new RgbImage(spec.Width * spec.Seeds.Count, spec.Height * spec.Prompts.Count);
        using var png = new MemoryStream();
        new SafeImageCodec().EncodePng(sheet, png);
        png.Position = 0;
        await execution.PublishOutputAsync("contact-sheet", png, "image/png", new OutputFacts("contact-sheet.png", sheet.Width, sheet.Height), cancellationToken);
        using var zip = new MemoryStream([0x50, 0x4B, 0x05, 0x06, .. new byte[18]]); // an empty ZIP archive
        await execution.PublishOutputAsync("zip", zip, "application/zip", new OutputFacts("batch.zip", null, null), cancellationToken);
        await execution.Progress.ReportAsync("done", 1, null, cancellationToken);
    }
}
