using System.Globalization;
using MediaStudio.Diffusion.Negatives;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Reward;
using MediaStudio.Jobs.Captions;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Models;
using MediaStudio.Media.Images;
using Microsoft.Extensions.Options;

namespace MediaStudio.Jobs.Generation;

/// <summary>
/// The <c>text-to-image</c> job kind: leases the bundled pipeline, draws the spec's images on a worker thread with live
/// progress and previews, and publishes each image as a PNG asset ("image-0", "image-1", ...) whose metadata records the
/// spec, the seed actually used and the model versions.
/// </summary>
public sealed class TextToImageHandler(ModelRegistry registry, IOptions<ModelRegistryOptions> models, TimeProvider clock, AutoCaption autoCaption) : IJobHandler
{
    public const string KindName = "text-to-image";

    private readonly PipelineAccess _access = new(registry, models.Value.Path);

    public string Kind => KindName;

    public string Queue => Queues.Render;

    public IReadOnlyList<string> Validate(string specJson) =>
        _access.Validate(KindName, specJson, TextToImageSpec.Parse, s => s.Validate(), s => (s.NegativeMode, s.NegativeEmbedding));

    public async Task RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var spec = TextToImageSpec.Parse(execution.Job.SpecJson);
        var seed = spec.Seed ?? SeedFor(execution.Job.Id);
        await execution.Progress.ReportAsync("loading models", 0, null, cancellationToken);
        using var lease = await _access.AcquireAsync(cancellationToken);
        var progress = new GenerationProgress();
        var images = await progress.RunAsync(execution, () => Generate(lease.Model, spec, seed, progress, cancellationToken), 0.02, 0.93, clock, cancellationToken);

        await execution.Progress.ReportAsync("saving", 0.97, null, cancellationToken);
        var versions = _access.Versions();
        var published = new List<Guid>();
        for (var i = 0; i < images.Count; i++)
        {
            var slot = string.Create(CultureInfo.InvariantCulture, $"image-{i}");
            published.Add((await GeneratedImage.PublishAsync(execution, slot, images[i], spec, seed + i, versions, cancellationToken)).Id);
        }

        await autoCaption.QueueAsync(execution, published, cancellationToken);
        await execution.Progress.ReportAsync("done", 1, null, cancellationToken);
    }

    // a random seed that is still reproducible from the job row
    internal static long SeedFor(Guid jobId) => BitConverter.ToInt64(jobId.ToByteArray(), 8) & ((1L << 40) - 1);

    private IReadOnlyList<RgbImage> Generate(TextToImagePipeline pipeline, TextToImageSpec spec, long seed, GenerationProgress progress, CancellationToken cancellationToken)
    {
        using var embedding = _access.LoadEmbedding(spec, pipeline.Device);
        NegativeEmbedding? refined = null;
        try
        {
            if (spec.Refine && embedding is not null)
            {
                progress.Stage = "refining the negative embedding";
                using var reward = RewardModel.FromPretrained(Path.Combine(_access.ModelsRoot, "reward"), pipeline.Device);
                var training = new ReNegTraining(pipeline, new RewardModelFunction(reward), ReNegOptions.LoadOrDefault(Path.Combine(_access.NegativesRoot, "recipe.json")));
                var (states, _) = training.Refine(embedding.States, spec.Prompt, seed, cancellationToken);
                refined = new NegativeEmbedding(states, embedding.Card with { Variant = "per-prompt" });
            }

            progress.Stage = "denoising";
            var request = PipelineAccess.Request(spec, seed, refined ?? embedding);
            return pipeline.Generate(request, step => progress.OnStep(step, 0, 1), cancellationToken);
        }
        finally
        {
            refined?.Dispose();
        }
    }
}
