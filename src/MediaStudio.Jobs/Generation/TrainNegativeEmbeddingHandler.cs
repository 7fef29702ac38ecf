using System.Text;
using System.Text.Json;
using MediaStudio.Core.Hosting;
using MediaStudio.Diffusion.Negatives;
using MediaStudio.Diffusion.Reward;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Models;
using MediaStudio.Neural.Training;
using Microsoft.Extensions.Options;

namespace MediaStudio.Jobs.Generation;

/// <summary>
/// The <c>train-negative-embedding</c> job kind: a global ReNeg run against the bundled models. Its checkpoint lives under
/// the data folder by job id, so a retry after a killed worker resumes where the last checkpoint left it. The embedding
/// is written to models/negatives/NAME and its card.json published as the job's output.
/// </summary>
public sealed class TrainNegativeEmbeddingHandler(
    ModelRegistry registry, IOptions<ModelRegistryOptions> models, IOptions<StorageOptions> storage, TimeProvider clock) : IJobHandler
{
    public const string KindName = "train-negative-embedding";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly PipelineAccess _access = new(registry, models.Value.Path);

    public string Kind => KindName;

    public string Queue => Queues.Train;

    public IReadOnlyList<string> Validate(string specJson)
    {
        TrainNegativeEmbeddingSpec spec;
        try
        {
            spec = TrainNegativeEmbeddingSpec.Parse(specJson);
        }
        catch (JsonException e)
        {
            return [$"spec: not valid JSON for train-negative-embedding ({e.Message})"];
        }

        var problems = spec.Validate().ToList();
        if (problems.Count == 0 && NegativeEmbedding.List(_access.NegativesRoot).Any(c => c.Name == spec.Name))
        {
            problems.Add($"name: an embedding named '{spec.Name}' exists already; choose another name");
        }

        return problems;
    }

    public async Task RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var spec = TrainNegativeEmbeddingSpec.Parse(execution.Job.SpecJson);
        var recipe = ReNegOptions.LoadOrDefault(Path.Combine(_access.NegativesRoot, "recipe.json"));
        recipe = recipe with { Steps = spec.Steps ?? recipe.Steps };
        var checkpoint = Path.Combine(storage.Value.DataPath, "train", "negatives", execution.Job.Id.ToString("N") + ".bin");
        Directory.CreateDirectory(Path.GetDirectoryName(checkpoint)!);
        await execution.Progress.ReportAsync("loading models", 0, null, cancellationToken);
        using var lease = await _access.AcquireAsync(cancellationToken);
        var pipeline = lease.Model;
        var progress = new GenerationProgress { Stage = "training" };
        var trained = new TrainingReports(progress);
        using var embedding = await progress.RunAsync(execution, () =>
        {
            using var reward = RewardModel.FromPretrained(Path.Combine(_access.ModelsRoot, "reward"), pipeline.Device);
            var prompts = spec.Prompts is { Count: > 0 } given ? given : GlobalNegativeTraining.WorldPrompts();
            return GlobalNegativeTraining.Train(
                pipeline, _access.ModelsRoot, new RewardModelFunction(reward), spec.Name, prompts, recipe, checkpoint, trained,
                [$"job {execution.Job.Id} (train-negative-embedding, {recipe.Steps} steps x {recipe.BatchSize})"], 0, cancellationToken);
        }, 0.02, 0.95, clock, cancellationToken);

        embedding.Save(_access.NegativesRoot);
        var card = JsonSerializer.Serialize(embedding.Card, Indented);
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(card));
        await execution.PublishOutputAsync("card", content, "application/json", new OutputFacts("card.json", MetadataJson: card), cancellationToken);
        File.Delete(checkpoint);
        await execution.Progress.ReportAsync("done", 1, null, cancellationToken);
    }

    // the trainer reports on the training thread; its fraction drives the job's progress bar
    private sealed class TrainingReports(GenerationProgress progress) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => progress.SetFraction(value.Fraction, $"training: reward {-value.Loss:F3}");
    }
}
