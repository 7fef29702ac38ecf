using System.Diagnostics;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Training;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Training;

namespace MediaStudio.Diffusion.Negatives;

/// <summary>One global ReNeg run, shared by <c>mediastudio train negative-embedding</c> and the train-negative-embedding job.</summary>
public static class GlobalNegativeTraining
{
    /// <summary>Held-out prompts on which a card's reward before and after is measured.</summary>
    public const int CheckPrompts = 32;

    /// <summary>First seed of the check images.</summary>
    public const long CheckSeedBase = 7_000_000;

    /// <summary>The default training prompts: captions of 2000 training-range scenes (half with one object).</summary>
    public static IReadOnlyList<string> WorldPrompts(int count = 2000) =>
        [.. Enumerable.Range(0, count).Select(i => TextToImageData.Example(TextToImageData.Scene(1_000_000 + i, 0.5)).Caption)];

    /// <summary>Learns a global embedding (resuming <paramref name="checkpoint"/> if it exists) and measures it.</summary>
    /// <param name="pipeline">The loaded pipeline.</param>
    /// <param name="modelsRoot">The folder the pipeline was loaded from (the card records its model hashes).</param>
    /// <param name="reward">The reward to ascend.</param>
    /// <param name="name">Embedding name.</param>
    /// <param name="prompts">Training prompts.</param>
    /// <param name="options">The recipe.</param>
    /// <param name="checkpoint">Resumable checkpoint path, or null.</param>
    /// <param name="progress">Training progress (loss = −reward).</param>
    /// <param name="commands">The command lines behind the run, for the card.</param>
    /// <param name="previousSeconds">Training seconds of earlier (killed) runs on the checkpoint.</param>
    /// <param name="cancellationToken">Stops after a step; the checkpoint is saved first.</param>
    /// <returns>The embedding, with reward before and after on held-out prompts in its card.</returns>
    public static NegativeEmbedding Train(
        TextToImagePipeline pipeline, string modelsRoot, IRewardFunction reward, string name, IReadOnlyList<string> prompts, ReNegOptions options, string? checkpoint,
        IProgress<TrainingProgress>? progress, IReadOnlyList<string> commands, double previousSeconds = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        NegativeEmbedding.ValidateName(name);
        if (prompts.Count == 0)
        {
            throw new ArgumentException("no training prompts", nameof(prompts));
        }

        options.Validate();
        var training = new ReNegTraining(pipeline, reward, options);
        using var negative = new LearnedNegative(pipeline.EmptyPromptStates);
        var trainerOptions = new TrainingOptions
        {
            LearningRate = options.LearningRate,
            MinLearningRate = options.LearningRate / 10,
            WarmupSteps = Math.Min(10, options.Steps),
            TotalSteps = options.Steps,
            WeightDecay = 0,
            GradClip = 0,
            Seed = options.Seed,
            CheckpointEvery = 10,
            ProgressEvery = 1,
            BatchSize = options.BatchSize,
        };
        var clock = Stopwatch.StartNew();
        using (var trainer = new Trainer(negative, trainerOptions, checkpoint))
        {
            trainer.TryResume();
            trainer.Run(step => training.Loss(negative, prompts, step), progress, cancellationToken);
        }

        var seconds = previousSeconds + clock.Elapsed.TotalSeconds;
        var check = TextToImageData.HeldOutPrompts(CheckPrompts, singleObject: true).Select(p => p.Prompt).ToList();
        var seeds = Enumerable.Range(0, check.Count).Select(i => CheckSeedBase + i).ToList();
        var before = training.Rewards(pipeline.EmptyPromptStates, check, seeds).Average();
        var learned = negative.Embedding.detach().clone();
        var after = training.Rewards(learned, check, seeds).Average();
        var card = new NegativeEmbeddingCard
        {
            Name = name,
            Tokens = (int)learned.shape[0],
            Width = (int)learned.shape[1],
            Prompts = [.. prompts.Take(20)],
            PromptCount = prompts.Count,
            Steps = options.Steps,
            Guidance = options.Guidance,
            RewardBefore = before,
            RewardAfter = after,
            TrainingSeconds = seconds,
            Commands = commands,
            TextEncoderSha256 = TextToImagePipeline.TextEncoderSha256(modelsRoot),
            UNetSha256 = Sha256Manifest.Read(Path.Combine(modelsRoot, "unet")).GetValueOrDefault(ModelFolder.WeightsFileName),
        };
        return new NegativeEmbedding(learned, card);
    }
}
