using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Diffusion.Video.Editor;
using MediaStudio.Diffusion.Video.Motion;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Training;

/// <summary>What a clip stage trains.</summary>
public enum MotionStage
{
    /// <summary>Motion modules by masked motion modeling, editor frozen (IVEDiff).</summary>
    MaskedMotion,

    /// <summary>Motion modules and the editor together on the plain editing task (every frame masked): the ablation.</summary>
    Full,

    /// <summary>The flow-guided motion reference by masked motion modeling, editor and motion modules frozen.</summary>
    MotionReference,
}

/// <summary>The denoising losses of the three video-editing stages.</summary>
/// <remarks>
/// Notation: x_0 the clean frame, ε ~ N(0, I), t ~ U{0..999}, x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε, target v (or ε) by the
/// schedule, m the edit mask, R the reference. Loss = mean_pixels (1 + λ m) ‖f(x_t, m, x_0·(1−m), R) − target‖² / mean(1 + λ m),
/// λ = mask_loss_weight (the outside is nearly free to copy from the masked source, so the inside is weighted up).
/// The reference is swapped for the null tokens (and its hint for zeros) in reference_dropout of the samples (of the
/// clips, for clip stages). The hint is placed by each frame's input mask, so a frame shown as source gets none.
/// Clip stages draw one t per clip (all frames are denoised together at inference). Masked motion modeling
/// (papers-media.md §1 (b)): frame 1 keeps its source; each later frame is masked with probability mask_ratio (at
/// least one), the others show their source, so the motion modules must carry appearance across frames.
/// </remarks>
public static class VideoEditTraining
{
    /// <summary>The single-frame editor loss.</summary>
    public static Tensor EditorLoss(ReferenceEditor editor, NoiseSchedule schedule, EditorBatch batch, VideoEditRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(editor);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(recipe);
        using var scope = NewDisposeScope();
        var b = batch.Target.shape[0];
        var t = randint(0, schedule.NumTrainTimesteps, [b], dtype: ScalarType.Int64);
        var eps = randn_like(batch.Target);
        var noisy = schedule.AddNoise(batch.Target, eps, t);                                   // (B, 3, S, S)
        var target = schedule.Target(batch.Target, eps, t);
        var drop = rand(b).lt(recipe.ReferenceDropout);
        var context = editor.DropContext(editor.EncodeReference(batch.Reference), drop);      // (B, N, D)
        var hint = editor.Hint(batch.Reference, batch.Mask, drop);                             // (B, 4, S, S) or null
        var prediction = editor.forward(ReferenceEditor.Inputs(noisy, batch.Mask, batch.Target, hint), t, context);
        return Weighted(prediction, target, batch.Mask, recipe.MaskLossWeight).MoveToOuterDisposeScope();
    }

    /// <summary>The loss of a clip stage.</summary>
    /// <param name="editor">The editor (frozen or not: the caller sets requires_grad).</param>
    /// <param name="motion">Motion modules, or null.</param>
    /// <param name="reference">Motion reference, or null.</param>
    /// <param name="schedule">The editor's schedule.</param>
    /// <param name="batch">Clips.</param>
    /// <param name="recipe">Recipe (mask ratio, dropout, weights).</param>
    /// <param name="maskedMotion">Masked motion modeling (true) or every frame masked (false).</param>
    public static Tensor ClipLoss(
        ReferenceEditor editor, MotionModules? motion, MotionReference? reference, NoiseSchedule schedule, ClipBatch batch, VideoEditRecipe recipe, bool maskedMotion)
    {
        ArgumentNullException.ThrowIfNull(editor);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(recipe);
        using var scope = NewDisposeScope();
        var clips = batch.Reference.shape[0];
        var n = batch.Frames.shape[0];
        var frames = n / clips;
        var t = randint(0, schedule.NumTrainTimesteps, [clips, 1], dtype: ScalarType.Int64).expand(clips, frames).reshape(n); // one t per clip
        var eps = randn_like(batch.Frames);
        var noisy = schedule.AddNoise(batch.Frames, eps, t);                                   // (B·F, 3, S, S)
        var target = schedule.Target(batch.Frames, eps, t);
        var inputMask = batch.Masks;
        if (maskedMotion)
        {
            var keep = rand(clips, frames).lt(recipe.MaskRatio);                                // (B, F) frames to mask
            keep[.., 0] = false;                                                                // frame 1 shows its source
            var none = keep.any(1).logical_not();                                               // at least one masked frame
            var last = zeros(clips, frames, dtype: ScalarType.Bool);
            last[.., frames - 1] = true;
            keep = keep.logical_or(last.logical_and(none.unsqueeze(1)));
            inputMask = batch.Masks * keep.to_type(ScalarType.Float32).view(n, 1, 1, 1);
        }

        var drop = rand(clips, 1).lt(recipe.ReferenceDropout).expand(clips, frames).reshape(n); // per clip
        var tokens = editor.EncodeReference(batch.Reference);                                  // (B, N, D)
        var context = editor.DropContext(tokens.unsqueeze(1).expand(-1, frames, -1, -1).reshape(n, tokens.shape[1], tokens.shape[2]), drop);
        using var flows = reference is null ? null : FrameFlows.FromPairs(batch.Forward, batch.Backward, 1, reference.Config.ConsistencySigma);
        var mixer = new VideoFrameMixer(frames, motion, reference, flows);
        var references = batch.Reference.unsqueeze(1).expand(-1, frames, -1, -1, -1).reshape(n, 3, batch.Reference.shape[2], batch.Reference.shape[3]);
        var hint = editor.Hint(references, inputMask, drop);                                   // frames shown as source get none
        var prediction = editor.ForwardMixed(ReferenceEditor.Inputs(noisy, inputMask, batch.Frames, hint), t, context, mixer);
        return Weighted(prediction, target, batch.Masks, recipe.MaskLossWeight).MoveToOuterDisposeScope();
    }

    private static Tensor Weighted(Tensor prediction, Tensor target, Tensor mask, double lambda)
    {
        var weights = 1 + (lambda * mask);                                                     // (B, 1, S, S)
        return ((prediction - target).square() * weights).mean() / weights.mean();
    }
}
