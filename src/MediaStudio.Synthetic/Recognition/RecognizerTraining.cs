using MediaStudio.Media.Images;
using MediaStudio.Neural.Training;
using MediaStudio.Synthetic.Metrics;
using MediaStudio.Synthetic.Rendering;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;
using static TorchSharp.torch;

namespace MediaStudio.Synthetic.Recognition;

/// <summary>The recognizer's recipe: fresh renders every step, AdamW with warm-up + cosine, resumable checkpoints.</summary>
/// <remarks>
/// Training scenes come from seeds below 2^62 drawn per step; evaluation scenes from seeds at or above 2^62, so the
/// two never overlap. 10% of training images carry a degradation that keeps colours (blur, noise, low contrast,
/// blockiness) so the recognizer tolerates imperfect generated images.
/// </remarks>
public static class RecognizerTraining
{
    /// <summary>First seed of the held-out evaluation range.</summary>
    public const long EvaluationSeedBase = 1L << 62;

    private static readonly DegradationKind[] ColorKeeping =
        [DegradationKind.Blur, DegradationKind.Noise, DegradationKind.LowContrast, DegradationKind.Blockiness];

    /// <summary>Returns the training options of the shipped recipe for a number of steps.</summary>
    public static TrainingOptions Recipe(long steps, int batchSize, long seed = 1) => new()
    {
        LearningRate = 6e-4,
        MinLearningRate = 2e-5,
        WarmupSteps = Math.Min(200, Math.Max(1, steps / 10)),
        TotalSteps = steps,
        WeightDecay = 0.05,
        GradClip = 2.0,
        Seed = seed,
        CheckpointEvery = 50,
        ProgressEvery = 10,
        BatchSize = batchSize,
    };

    /// <summary>Renders the training batch of one step: images and their per-head targets.</summary>
    public static (IReadOnlyList<RgbImage> Images, long[] Targets) TrainingBatch(long seed, long step, int batchSize, int size)
    {
        var baseSeed = (long)(TrainingSeed.ForStep(seed, step) >> 3);
        var images = new List<RgbImage>(batchSize);
        var targets = new List<long>(batchSize * AttributeHeads.Heads.Count);
        for (var i = 0; i < batchSize; i++)
        {
            var sample = SceneSampler.Sample(baseSeed + i);
            var image = SceneRendering.Render(sample, size, size);
            var rng = WorldRandom.For(baseSeed + i, "recognizer-augment");
            if (rng.NextDouble() < 0.1)
            {
                image = Degrader.Apply(image, [new DegradationSpec(rng.Pick(ColorKeeping))], baseSeed + i);
            }

            images.Add(image);
            targets.AddRange(AttributeHeads.Targets(sample.Label));
        }

        return (images, [.. targets]);
    }

    /// <summary>Trains (or resumes) a recognizer; the checkpoint file makes a killed run continue where it stopped.</summary>
    public static TrainingProgress Train(
        SceneRecognizer model, TrainingOptions options, string? checkpointPath, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        using var trainer = new Trainer(model, options, checkpointPath);
        trainer.TryResume();
        var size = model.Config.ImageSize;
        return trainer.Run(
            step =>
            {
                var (images, targets) = TrainingBatch(options.Seed, step, options.BatchSize, size);
                using var x = SceneRecognizer.ToBatch(images, size);
                using var y = tensor(targets, [images.Count, AttributeHeads.Heads.Count]);
                return SceneRecognizer.Loss(model.forward(x), y);
            },
            progress,
            cancellationToken);
    }

    /// <summary>Measures accuracy per attribute on <paramref name="count"/> fresh held-out renders.</summary>
    public static RecognizerEvaluation Evaluate(SceneRecognizer model, int count, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var tally = new AccuracyTally();
        for (var start = 0; start < count; start += batchSize)
        {
            var n = Math.Min(batchSize, count - start);
            var samples = Enumerable.Range(start, n).Select(i => SceneSampler.Sample(EvaluationSeedBase + i)).ToList();
            var predictions = model.Recognize([.. samples.Select(s => SceneRendering.Render(s, model.Config.ImageSize, model.Config.ImageSize))]);
            for (var i = 0; i < n; i++)
            {
                var truth = samples[i].Label;
                var predicted = predictions[i];
                var colours = truth.Background.MatchColours(predicted.Background);
                tally.Count("background_kind", predicted.Background.Kind == truth.Background.Kind);
                tally.Count("background_color", colours.First);
                if (truth.Background.SecondColor is not null)
                {
                    tally.Count("background_second_color", colours.Second);
                }

                // where the background colour errors are: both colours right, by background kind
                tally.Count($"background_colors ({truth.Background.Kind.ToString().ToLowerInvariant()})", colours.First && (truth.Background.SecondColor is null || colours.Second));

                foreach (var region in Enum.GetValues<Region>())
                {
                    tally.Count("object_presence", truth.Objects.Any(o => o.Region == region) == predicted.Objects.Any(o => o.Region == region));
                }

                foreach (var o in truth.Objects)
                {
                    var p = predicted.Objects.FirstOrDefault(q => q.Region == o.Region);
                    tally.Count("shape", p?.Shape == o.Shape);
                    tally.Count("color", p?.Color == o.Color);
                    tally.Count("size", p?.Size == o.Size);
                    tally.Count("texture", p?.Texture == o.Texture);
                }

                var seen = colours is (true, true) ? predicted with { Background = truth.Background with { Kind = predicted.Background.Kind } } : predicted;
                tally.Count("all_correct", seen.ToJson() == (truth.Clean() with { Relation = null }).ToJson());
            }
        }

        return new RecognizerEvaluation(count, tally.Fractions());
    }
}
