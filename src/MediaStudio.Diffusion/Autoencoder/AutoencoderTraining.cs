using MediaStudio.Media.Images;
using MediaStudio.Neural.Training;
using MediaStudio.Synthetic.Scenes;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>The autoencoder's recipe: fresh world renders every step, L1 + gradient L1 + KL, AdamW with warm-up + cosine, resumable.</summary>
/// <remarks>
/// Seed ranges (disjoint): training scenes use seeds in [0, 10^9) drawn per step from <see cref="TrainingSeed.ForStep"/>;
/// evaluation uses [10^9, 1.5 10^9) (<see cref="EvaluationSeedBase"/>); the scaling factor is measured on
/// [1.5 10^9, 2 10^9) (<see cref="CalibrationSeedBase"/>). Training renders carry the world's degradations at the
/// recipe's rate, so the decoder can reproduce degraded images as well as clean ones.
/// </remarks>
public static class AutoencoderTraining
{
    /// <summary>Training seeds are below this value.</summary>
    public const long TrainingSeedLimit = 1_000_000_000;

    /// <summary>First seed of the held-out evaluation range.</summary>
    public const long EvaluationSeedBase = 1_000_000_000;

    /// <summary>First seed of the held-out range that measures the scaling factor.</summary>
    public const long CalibrationSeedBase = 1_500_000_000;

    /// <summary>Returns the trainer options of a recipe.</summary>
    /// <param name="recipe">Validated recipe.</param>
    /// <returns>The options.</returns>
    public static TrainingOptions Options(AutoencoderRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        recipe.Validate();
        return new TrainingOptions
        {
            LearningRate = recipe.LearningRate,
            MinLearningRate = recipe.MinLearningRate,
            WarmupSteps = Math.Min(recipe.WarmupSteps, Math.Max(0, recipe.Steps - 1)),
            TotalSteps = recipe.Steps,
            WeightDecay = recipe.WeightDecay,
            GradClip = recipe.GradClip,
            Seed = recipe.Seed,
            CheckpointEvery = recipe.CheckpointEvery,
            ProgressEvery = 5,
            BatchSize = recipe.BatchSize,
        };
    }

    /// <summary>Renders the training images of one step; they depend only on (seed, step).</summary>
    /// <param name="seed">Run seed.</param>
    /// <param name="step">0-based step.</param>
    /// <param name="batchSize">Images.</param>
    /// <param name="size">Side in pixels.</param>
    /// <param name="degradationRate">Fraction of scenes with a degradation.</param>
    /// <returns>The renders.</returns>
    public static IReadOnlyList<RgbImage> TrainingBatch(long seed, long step, int batchSize, int size, double degradationRate) =>
        [.. TrainingFrames(seed, step, batchSize, size, degradationRate).Select(f => f.Image)];

    /// <summary>The renders of one step (as <see cref="TrainingBatch"/>) with the clean render's instance maps.</summary>
    /// <returns>Each image, degradations applied, and its instance map (0 = background).</returns>
    public static IReadOnlyList<Synthetic.Rendering.RenderedFrame> TrainingFrames(long seed, long step, int batchSize, int size, double degradationRate)
    {
        var baseSeed = (long)(TrainingSeed.ForStep(seed, step) % (ulong)(TrainingSeedLimit - batchSize));
        var options = new SceneSamplerOptions { DegradationRate = degradationRate };
        return [.. Enumerable.Range(0, batchSize).Select(i => SceneRendering.RenderFrame(SceneSampler.Sample(baseSeed + i, options), size, size))];
    }

    /// <summary>Per-pixel L1 weights 1 + λ_o on object pixels (instance map dilated by one pixel), 1 elsewhere.</summary>
    /// <returns>(B, 1, S, S).</returns>
    public static Tensor ObjectWeights(IReadOnlyList<Synthetic.Rendering.RenderedFrame> frames, int size, double objectWeight)
    {
        ArgumentNullException.ThrowIfNull(frames);
        using var scope = NewDisposeScope();
        var objects = stack([.. frames.Select(f => tensor(f.Instances).view(1, size, size))]).to(ScalarType.Float32).clamp_max(1); // (B, 1, S, S)
        var dilated = nn.functional.max_pool2d(objects, 3, stride: 1, padding: 1);                                                // (B, 1, S, S)
        return (1 + (objectWeight * dilated)).MoveToOuterDisposeScope();
    }

    /// <summary>Renders <paramref name="count"/> clean held-out scenes starting at a seed.</summary>
    /// <param name="firstSeed">First seed.</param>
    /// <param name="count">Images.</param>
    /// <param name="size">Side in pixels.</param>
    /// <returns>The renders with their samples.</returns>
    public static IReadOnlyList<(SceneSample Sample, RgbImage Image)> HeldOut(long firstSeed, int count, int size) =>
        [.. Enumerable.Range(0, count).Select(i =>
        {
            var sample = SceneSampler.Sample(firstSeed + i);
            return (sample, SceneRendering.Render(sample, size, size));
        })];

    /// <summary>Trains (or resumes) the model; the checkpoint makes a killed run continue where it stopped.</summary>
    /// <param name="model">Model to train.</param>
    /// <param name="recipe">Recipe.</param>
    /// <param name="checkpointPath">Checkpoint file, or null.</param>
    /// <param name="progress">Progress sink, or null.</param>
    /// <param name="cancellationToken">Stops after the current step (a checkpoint is written).</param>
    /// <returns>The last progress report.</returns>
    public static TrainingProgress Train(
        AutoencoderKL model, AutoencoderRecipe recipe, string? checkpointPath, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(recipe);
        var options = Options(recipe);
        using var trainer = new Trainer(model, options, checkpointPath);
        trainer.TryResume();
        var size = model.Config.SampleSize;
        return trainer.Run(
            step =>
            {
                var frames = TrainingFrames(recipe.Seed, step, recipe.BatchSize, size, recipe.DegradationRate);
                using var x = AutoencoderImages.ToBatch([.. frames.Select(f => f.Image)], size); // (B, 3, S, S)
                using var weights = recipe.ObjectWeight > 0 ? ObjectWeights(frames, size, recipe.ObjectWeight) : null;
                return AutoencoderLoss.Compute(model, x, recipe.KlWeight, recipe.GradientWeight, weights: weights);
            },
            progress,
            cancellationToken);
    }

    /// <summary>Measures s = 1 / std of the posterior means over held-out calibration renders (SD's 0.18215 was found this way).</summary>
    /// <param name="model">Trained model.</param>
    /// <param name="count">Renders (seeds from <see cref="CalibrationSeedBase"/>).</param>
    /// <param name="batchSize">Renders per forward pass.</param>
    /// <returns>The scaling factor.</returns>
    public static double MeasureScalingFactor(AutoencoderKL model, int count, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        var stats = new RunningMoments();
        var size = model.Config.SampleSize;
        model.eval();
        using var guard = no_grad();
        for (var start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var n = Math.Min(batchSize, count - start);
            var images = HeldOut(CalibrationSeedBase + start, n, size).Select(p => p.Image).ToList();
            using var posterior = model.Encode(AutoencoderImages.ToBatch(images, size));
            stats.Add(posterior.Mean);
        }

        var std = stats.Std;
        if (!(std > 0) || !double.IsFinite(std))
        {
            throw new InvalidOperationException($"the latent means have std {std}; the model cannot be scaled");
        }

        return 1.0 / std;
    }
}
