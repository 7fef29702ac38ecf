using MediaStudio.Language.Captioning;
using MediaStudio.Language.Tokenization;
using MediaStudio.Neural.Training;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;
using static TorchSharp.torch;

namespace MediaStudio.Language.Training;

/// <summary>The captioner's recipe: fresh image and clip renders every step with varied captions, next-token loss, AdamW.</summary>
/// <remarks>
/// Every step draws its scenes from <see cref="TrainingSeed.ForStep"/> (seeds below 2^61), so a resumed run sees
/// the batches an uninterrupted one would; held-out evaluation uses seeds from <see cref="EvaluationSeedBase"/> on
/// (images) and <see cref="EvaluationSeedBase"/> + 2^40 (clips), which training never draws. A step holds
/// <c>batch</c> images and <c>batch / 3</c> clips (each sampled to <see cref="CaptionerConfig.ClipFrames"/> frames);
/// the loss is the mean next-token cross-entropy over all caption tokens and end tokens of both groups.
/// </remarks>
public static class CaptionerTraining
{
    /// <summary>First seed of the held-out evaluation range.</summary>
    public const long EvaluationSeedBase = 1L << 62;

    /// <summary>Offset of the held-out clip seeds within the evaluation range.</summary>
    public const long EvaluationClipOffset = 1L << 40;

    /// <summary>Returns the training options of the shipped recipe: <paramref name="batchSize"/> images and <paramref name="clips"/> clips per step (default a third as many).</summary>
    public static TrainingOptions Recipe(long steps, int batchSize, long seed = 1, int? clips = null) => new()
    {
        LearningRate = 1.5e-3,
        MinLearningRate = 5e-5,
        WarmupSteps = Math.Min(150, Math.Max(1, steps / 10)),
        TotalSteps = steps,
        WeightDecay = 0.05,
        GradClip = 1.0,
        Seed = seed,
        CheckpointEvery = 50,
        ProgressEvery = 5,
        BatchSize = batchSize + (clips ?? ClipsPerStep(batchSize)),
    };

    /// <summary>Gets the clips per step for a given number of images per step.</summary>
    public static int ClipsPerStep(int images) => Math.Max(1, images / 3);

    /// <summary>Builds an image example from a scene seed; <paramref name="captionChoice"/> picks the wording, <paramref name="order"/> the object order.</summary>
    public static CaptionSample Image(long seed, int size, WorldRandom captionChoice, ObjectOrder order = ObjectOrder.Shuffled)
    {
        var scene = SceneSampler.Sample(seed);
        return new CaptionSample([SceneRendering.Render(scene, size, size)], Captioner.Caption(scene.Label, captionChoice, order), scene, null);
    }

    /// <summary>Builds a clip example from a clip seed: its frames sampled evenly over time and a motion caption; with
    /// <paramref name="motionFrames"/> other than 0 and <paramref name="frames"/>, also the frames a motion tower of that count reads.</summary>
    public static CaptionSample Clip(
        long seed, int size, int frames, WorldRandom captionChoice, ObjectOrder order = ObjectOrder.Shuffled, ClipMotion motion = ClipMotion.Any, int motionFrames = 0)
    {
        var spec = ClipSampler.Sample(seed, size, size, motion: motion);
        var images = ClipRenderer.RenderEvenFrames(spec, frames);
        var motionImages = motionFrames > 0 && motionFrames != frames ? ClipRenderer.RenderEvenFrames(spec, motionFrames) : null;
        return new CaptionSample(images, ClipCaptioner.Caption(spec, captionChoice, order), spec.Scene, spec, motionImages);
    }

    /// <summary>Builds the clip example a captioner of <paramref name="config"/> reads: its clip frames and, when its
    /// motion tower samples its own count, the tower's frames.</summary>
    public static CaptionSample Clip(long seed, CaptionerConfig config, WorldRandom captionChoice, ClipMotion motion)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Clip(seed, config.Vision.ImageSize, config.ClipFrames, captionChoice, config.ObjectOrder, motion, config.MotionReadsOwnFrames ? config.Motion!.Frames : 0);
    }

    /// <summary>Renders the examples of one step.</summary>
    public static (IReadOnlyList<CaptionSample> Images, IReadOnlyList<CaptionSample> Clips) Batch(long seed, long step, int images, CaptionerConfig config, int? clips = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var baseSeed = (long)(TrainingSeed.ForStep(seed, step) >> 3);
        var rng = WorldRandom.For(baseSeed, "captioner-captions");
        var size = config.Vision.ImageSize;
        var imageSamples = Enumerable.Range(0, images).Select(i => Image(baseSeed + i, size, rng, config.ObjectOrder)).ToList();
        var clipSamples = Enumerable.Range(0, clips ?? ClipsPerStep(images)).Select(i => Clip(baseSeed + images + i, config, rng, config.ClipMotion)).ToList();
        return (imageSamples, clipSamples);
    }

    /// <summary>Tokenizes captions into a right-padded (B, L) batch: caption ids, end token, padding.</summary>
    public static Tensor TextBatch(IReadOnlyList<string> captions, CaptionTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(captions);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var rows = captions.Select(c => tokenizer.Encode(c).Append(tokenizer.EndOfText).Select(i => (long)i).ToArray()).ToList();
        var length = rows.Max(r => r.Length);
        var data = new long[rows.Count * length];
        Array.Fill(data, tokenizer.Padding);
        for (var b = 0; b < rows.Count; b++)
        {
            Array.Copy(rows[b], 0, data, b * length, rows[b].Length);
        }

        return tensor(data, [rows.Count, length]);
    }

    /// <summary>Summed next-token cross-entropy over the non-padding caption tokens, and their count.</summary>
    public static (Tensor SummedLoss, long Tokens) Loss(CaptionerModel model, CaptionTokenizer tokenizer, IReadOnlyList<CaptionSample> samples)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(samples);
        using var scope = NewDisposeScope();
        var size = model.Config.Vision.ImageSize;
        var pixels = CaptionerModel.ToClipPixels([.. samples.Select(s => s.Frames)], size);            // (B, F, 3, S, S)
        var motionPixels = samples.All(s => s.MotionFrames is null) ? null : CaptionerModel.ToClipPixels([.. samples.Select(s => s.MotionFrames ?? [])], size); // (B, F_m, 3, S, S)
        var text = TextBatch([.. samples.Select(s => s.Caption)], tokenizer);                       // (B, L)
        var logits = model.forward(model.Prompt(pixels, tokenizer.Image, tokenizer.BeginOfText, motionPixels), text); // (B, L, V)
        var targets = text.masked_fill(text.eq(tokenizer.Padding), -100);                          // padding ignored
        var loss = nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index: -100, reduction: nn.Reduction.Sum);
        var count = targets.ne(-100).sum().item<long>();
        return (loss.MoveToOuterDisposeScope(), count);
    }

    /// <summary>Trains (or resumes) a captioner; the checkpoint file makes a killed run continue where it stopped.</summary>
    public static TrainingProgress Train(
        CaptionerModel model, CaptionTokenizer tokenizer, TrainingOptions options, int images, string? checkpointPath, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        using var trainer = new Trainer(model, options, checkpointPath);
        trainer.TryResume();
        return trainer.Run(
            step =>
            {
                var (imageSamples, clipSamples) = Batch(options.Seed, step, images, model.Config, options.BatchSize - images); // the rest of the batch is clips
                var (imageLoss, imageTokens) = Loss(model, tokenizer, imageSamples);
                var (clipLoss, clipTokens) = Loss(model, tokenizer, clipSamples);
                return (imageLoss + clipLoss) / (imageTokens + clipTokens);
            },
            progress,
            cancellationToken);
    }
}
