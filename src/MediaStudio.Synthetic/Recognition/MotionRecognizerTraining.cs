using MediaStudio.Media.Images;
using MediaStudio.Neural.Training;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Metrics;
using static TorchSharp.torch;

namespace MediaStudio.Synthetic.Recognition;

/// <summary>The motion recognizer's recipe: fresh world clips every step, sampled to a few frames, AdamW with warm-up + cosine, resumable.</summary>
/// <remarks>
/// Training clips come from seeds below 2^61 drawn per step; held-out clips from <see cref="EvaluationSeedBase"/> on,
/// the range the captioner's evaluation captions clips from, so neither model ever trains on what it is scored on.
/// </remarks>
public static class MotionRecognizerTraining
{
    /// <summary>First seed of the held-out clips (2^62 + 2^40, as the captioner's held-out clips).</summary>
    public const long EvaluationSeedBase = (1L << 62) + (1L << 40);

    /// <summary>Returns the training options of the shipped recipe.</summary>
    public static TrainingOptions Recipe(long steps, int batchSize, long seed = 1) => new()
    {
        LearningRate = 1e-3,
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

    /// <summary>Renders the training batch of one step: the clip specs (the pose targets read them), their frames and their per-region motion targets.</summary>
    public static (IReadOnlyList<ClipSpec> Specs, IReadOnlyList<IReadOnlyList<RgbImage>> Clips, long[] Targets) TrainingBatch(
        long seed, long step, int batchSize, MotionRecognizerConfig config, ClipMotion motion = ClipMotion.Any)
    {
        ArgumentNullException.ThrowIfNull(config);
        var baseSeed = (long)(TrainingSeed.ForStep(seed, step) >> 3);
        var specs = Enumerable.Range(0, batchSize).Select(i => ClipSampler.Sample(baseSeed + i, config.ImageSize, config.ImageSize, motion: motion)).ToList();
        return (specs, [.. specs.Select(s => ClipRenderer.RenderEvenFrames(s, config.Frames))], [.. specs.SelectMany(MotionRecognizer.Targets)]);
    }

    /// <summary>Trains (or resumes) a motion recognizer on clips of <paramref name="motion"/>; the checkpoint file makes a killed run continue where it stopped.</summary>
    public static TrainingProgress Train(
        MotionRecognizer model, TrainingOptions options, ClipMotion motion, string? checkpointPath, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        using var trainer = new Trainer(model, options, checkpointPath);
        trainer.TryResume();
        var config = model.Config;
        var side = config.ImageSize / config.FrameStride;
        return trainer.Run(
            step =>
            {
                var (specs, clips, targets) = TrainingBatch(options.Seed, step, options.BatchSize, config, motion);
                using var x = model.ToBatch(clips);
                using var y = tensor(targets, [specs.Count, targets.Length / specs.Count]);
                var (logits, pose) = model.ForwardWithPose(x);
                var loss = MotionRecognizer.Loss(logits, y);
                if (pose is null)
                {
                    return loss;
                }

                var poses = specs.Select(s => MotionRecognizer.PoseTargets(s, config.Frames, side)).ToList();
                long[] shape = [specs.Count, config.Frames, side, side, MotionRecognizer.PoseChannels];
                using var poseTargets = tensor([.. poses.SelectMany(p => p.Targets)], shape);
                using var poseMask = tensor([.. poses.SelectMany(p => p.Mask)], shape);
                using var poseLoss = MotionRecognizer.PoseLoss(pose, poseTargets, poseMask);
                pose.Dispose();
                return loss + (poseLoss * config.PoseWeight);
            },
            progress,
            cancellationToken);
    }

    /// <summary>Measures accuracy per part on <paramref name="count"/> held-out clips of <paramref name="motion"/>, over the objects they hold.</summary>
    /// <remarks>"direction" counts an object right when both its horizontal and vertical parts are; "all" when all four are. The
    /// "baseline" rows score the answer "no change" for every object, the floor a part must beat.</remarks>
    public static RecognizerEvaluation Evaluate(MotionRecognizer model, int count, ClipMotion motion = ClipMotion.Any, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var tally = new AccuracyTally();
        for (var start = 0; start < count; start += batchSize)
        {
            var n = Math.Min(batchSize, count - start);
            var specs = Enumerable.Range(start, n).Select(i => ClipSampler.Sample(EvaluationSeedBase + i, model.Config.ImageSize, model.Config.ImageSize, motion: motion)).ToList();
            var (read, pose, side) = model.ReadWithPose([.. specs.Select(s => ClipRenderer.RenderEvenFrames(s, model.Config.Frames))]);
            for (var i = 0; i < n; i++)
            {
                var objects = specs[i].Scene.Label.Objects;
                for (var k = 0; k < objects.Count; k++)
                {
                    var (truth, predicted) = (ObjectMotion.From(specs[i], k), read[i][objects[k].Region]);
                    tally.Count("horizontal", truth.Horizontal == predicted.Horizontal);
                    tally.Count("vertical", truth.Vertical == predicted.Vertical);
                    tally.Count("direction", truth.Horizontal == predicted.Horizontal && truth.Vertical == predicted.Vertical);
                    tally.Count("scale", truth.Scale == predicted.Scale);
                    tally.Count("rotation", truth.Rotation == predicted.Rotation);
                    tally.Count("all", truth == predicted);

                    // what answering "no change" everywhere would score: the floor a part must beat to have learned anything
                    tally.Count("baseline: direction always still", truth.Horizontal == 0 && truth.Vertical == 0);
                    tally.Count("baseline: scale always kept", truth.Scale == 0);
                    tally.Count("baseline: rotation always none", truth.Rotation == 0);

                    // where the hard parts fail: by the object's shape and size
                    var (shape, size) = (objects[k].Shape.ToString().ToLowerInvariant(), objects[k].Size.ToString().ToLowerInvariant());
                    tally.Count($"by shape: rotation, {shape}", truth.Rotation == predicted.Rotation);
                    tally.Count($"by shape: scale, {shape}", truth.Scale == predicted.Scale);
                    tally.Count($"by size: rotation, {size}", truth.Rotation == predicted.Rotation);
                    tally.Count($"by size: scale, {size}", truth.Scale == predicted.Scale);

                    // the turn read from the pose head's per-frame angles at the object's true cells, beside the tower's
                    // own reading of the same objects: how much a readout of the pose map could give
                    if (pose is not null && MotionRecognizer.PoseTurn(pose.AsSpan(i * pose.Length / n, pose.Length / n), specs[i], k, model.Config.Frames, side) is { } turn)
                    {
                        var posed = Math.Abs(turn) >= ObjectMotion.RotationThreshold ? Math.Sign(turn) : 0;
                        tally.Count("turning shapes: rotation, tower", truth.Rotation == predicted.Rotation);
                        tally.Count("turning shapes: rotation, pose readout", truth.Rotation == posed);
                    }
                }
            }
        }

        return new RecognizerEvaluation(count, tally.Fractions());
    }
}
