using System.Globalization;
using System.IO.Compression;
using System.Text;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Jobs.Captions;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Models;
using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Preview;
using Microsoft.Extensions.Options;

namespace MediaStudio.Jobs.Generation;

/// <summary>
/// The <c>batch-render</c> job kind: every prompt with every seed. Publishes each image ("image-P-S", P and S 0-based),
/// a contact sheet (rows = prompts, columns = seeds) and a ZIP with every PNG and an index.csv of prompt, seed and file.
/// </summary>
public sealed class BatchRenderHandler(ModelRegistry registry, IOptions<ModelRegistryOptions> models, TimeProvider clock, AutoCaption autoCaption) : IJobHandler
{
    public const string KindName = "batch-render";

    private readonly PipelineAccess _access = new(registry, models.Value.Path);

    public string Kind => KindName;

    public string Queue => Queues.Render;

    public IReadOnlyList<string> Validate(string specJson) =>
        _access.Validate(KindName, specJson, BatchRenderSpec.Parse, s => s.Validate(), s => (s.NegativeMode, s.NegativeEmbedding));

    public async Task RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var spec = BatchRenderSpec.Parse(execution.Job.SpecJson);
        await execution.Progress.ReportAsync("loading models", 0, null, cancellationToken);
        using var lease = await _access.AcquireAsync(cancellationToken);
        var progress = new GenerationProgress();
        var images = await progress.RunAsync(execution, () => Render(lease.Model, spec, progress, cancellationToken), 0.02, 0.9, clock, cancellationToken);

        await execution.Progress.ReportAsync("saving", 0.93, null, cancellationToken);
        var versions = _access.Versions();
        var published = new List<Guid>();
        using var zipBytes = new MemoryStream();
        using (var zip = new ZipArchive(zipBytes, ZipArchiveMode.Create, leaveOpen: true))
        {
            var index = new StringBuilder("prompt,seed,file\n");
            for (var p = 0; p < spec.Prompts.Count; p++)
            {
                for (var s = 0; s < spec.Seeds.Count; s++)
                {
                    var image = images[(p * spec.Seeds.Count) + s];
                    var seed = spec.Seeds[s];
                    var item = spec.Item(p, s);
                    published.Add((await GeneratedImage.PublishAsync(execution, string.Create(CultureInfo.InvariantCulture, $"image-{p}-{s}"), image, item, seed, versions, cancellationToken)).Id);
                    var file = string.Create(CultureInfo.InvariantCulture, $"{p + 1:D3}-{seed}.png");
                    var entry = zip.CreateEntry(file, CompressionLevel.NoCompression); // PNGs are compressed already
                    await using (var stream = entry.Open())
                    {
                        await stream.WriteAsync(GeneratedImage.Png(image, item, seed, versions), cancellationToken);
                    }

                    index.Append(Csv(spec.Prompts[p])).Append(',').Append(seed.ToString(CultureInfo.InvariantCulture)).Append(',').Append(file).Append('\n');
                }
            }

            var indexEntry = zip.CreateEntry("index.csv", CompressionLevel.Optimal);
            await using (var stream = indexEntry.Open())
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(index.ToString()), cancellationToken);
            }
        }

        var sheet = ImageGrid.Compose(images, spec.Seeds.Count, scale: spec.Width <= 128 ? 2 : 1);
        using (var sheetPng = new MemoryStream(GeneratedImage.Png(sheet)))
        {
            await execution.PublishOutputAsync("contact-sheet", sheetPng, "image/png", new OutputFacts("contact-sheet.png", sheet.Width, sheet.Height), cancellationToken);
        }

        zipBytes.Position = 0;
        await execution.PublishOutputAsync("zip", zipBytes, "application/zip", new OutputFacts("batch.zip"), cancellationToken);
        await autoCaption.QueueAsync(execution, published, cancellationToken);
        await execution.Progress.ReportAsync("done", 1, null, cancellationToken);
    }

    // RFC 4180: quote every field that holds a comma, quote or line break, doubling quotes
    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private List<RgbImage> Render(TextToImagePipeline pipeline, BatchRenderSpec spec, GenerationProgress progress, CancellationToken cancellationToken)
    {
        var first = spec.Item(0, 0);
        using var embedding = _access.LoadEmbedding(first, pipeline.Device);
        var images = new List<RgbImage>();
        var cells = spec.Prompts.Count * spec.Seeds.Count;
        for (var p = 0; p < spec.Prompts.Count; p++)
        {
            for (var s = 0; s < spec.Seeds.Count; s++)
            {
                var cell = images.Count;
                progress.Stage = string.Create(CultureInfo.InvariantCulture, $"image {cell + 1} of {cells}");
                var request = PipelineAccess.Request(spec.Item(p, s), spec.Seeds[s], embedding);
                images.AddRange(pipeline.Generate(request, step => progress.OnStep(step, cell, cells), cancellationToken));
            }
        }

        return images;
    }
}
