using MediaStudio.Diffusion.Video.Pipelines;
using MediaStudio.Neural.Training;
using MediaStudio.Synthetic.Clips;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Training;

/// <summary>Single-frame editing examples: the target frame, the edit mask and the reference, (B, 3|1, S, S) each in [-1, 1] / {0, 1}.</summary>
public sealed record EditorBatch(Tensor Target, Tensor Mask, Tensor Reference);

/// <summary>Clips for the motion stages: B clips of F frames, clip-major.</summary>
/// <param name="Frames">(B·F, 3, S, S) source frames (the reconstruction target).</param>
/// <param name="Masks">(B·F, 1, S, S) the edited object's silhouette dilated by one pixel.</param>
/// <param name="Reference">(B, 3, S, S) the object's reference image.</param>
/// <param name="Forward">(B, F−1, 2, S, S) ground-truth flow f → f+1.</param>
/// <param name="Backward">(B, F−1, 2, S, S) ground-truth flow f+1 → f.</param>
public sealed record ClipBatch(Tensor Frames, Tensor Masks, Tensor Reference, Tensor Forward, Tensor Backward);

/// <summary>Self-supervised training data for the video editor, drawn from the world's clips.</summary>
/// <remarks>
/// Training clips use seeds below 2^29 (derived from <see cref="TrainingSeed.ForStep"/>), held-out clips seeds from
/// <see cref="HeldOutSeedStart"/> on. Editor example (MimicBrush recipe): one frame of a two-frame clip, one of its
/// objects masked (its silhouette dilated by 0-2 pixels, or its bounding box), the reference either the object's
/// rendered reference image (randomly mirrored) or a square crop of the same object in the other frame.
/// </remarks>
public static class VideoEditData
{
    /// <summary>The first seed of the held-out clips the evaluation uses.</summary>
    public const long HeldOutSeedStart = 1_000_000_000;

    /// <summary>The world seed of sample <paramref name="index"/> of a step.</summary>
    public static long SampleSeed(long runSeed, long step, int index) => (long)(TrainingSeed.ForStep(runSeed, step) >> 35) + index;

    /// <summary>The editor batch of one step.</summary>
    public static EditorBatch Editor(long runSeed, long step, int batch, int size, VideoEditRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        using var scope = NewDisposeScope();
        var targets = new List<Tensor>();
        var masks = new List<Tensor>();
        var references = new List<Tensor>();
        for (var i = 0; i < batch; i++)
        {
            var seed = SampleSeed(runSeed, step, i);
            var rng = new Random(unchecked((int)(seed * 31) ^ 0x5EED));
            var clip = ClipRenderer.Render(ClipSampler.Sample(seed, size, size, frameCount: 2));
            var f = rng.Next(2);
            var k = LargestObject(clip.InstanceMasks[f]);
            var frame = VideoTensors.FromImages([clip.Frames[f]]);                                   // (1, 3, S, S)
            var silhouette = Silhouette(clip.InstanceMasks[f], k, size);                            // (1, 1, S, S)
            var mask = rng.NextDouble() < recipe.BoxMaskRate ? Box(silhouette, 1) : Dilate(silhouette, rng.Next(3));
            var other = 1 - f;
            var otherSilhouette = Silhouette(clip.InstanceMasks[other], k, size);
            var reference = rng.NextDouble() < recipe.CropReferenceRate && otherSilhouette.sum().item<float>() >= 4
                ? Crop(VideoTensors.FromImages([clip.Frames[other]]), otherSilhouette, size)
                : VideoTensors.FromImages([ClipRenderer.Reference(clip.Spec.Scene.Label.Objects[k - 1], size, size)]);
            if (rng.Next(2) == 1)
            {
                reference = reference.flip(3);
            }

            targets.Add(frame);
            masks.Add(mask);
            references.Add(reference);
        }

        return new EditorBatch(cat(targets, 0).MoveToOuterDisposeScope(), cat(masks, 0).MoveToOuterDisposeScope(), cat(references, 0).MoveToOuterDisposeScope());
    }

    /// <summary>The clip batch of one step: the edited object of each clip, its masks, reference and flows.</summary>
    public static ClipBatch Clips(long runSeed, long step, int batch, int frames, int size)
    {
        using var scope = NewDisposeScope();
        var clips = Enumerable.Range(0, batch).Select(i => ClipRenderer.Render(ClipSampler.Sample(SampleSeed(runSeed, step, i), size, size, frameCount: frames))).ToList();
        return Outer(FromClips(clips));
    }

    /// <summary>Tensors of rendered clips (all of one size and length), editing each clip's <see cref="ClipSpec.EditedObject"/>.</summary>
    public static ClipBatch FromClips(IReadOnlyList<Synthetic.Clips.Clip> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        using var scope = NewDisposeScope();
        var size = clips[0].Spec.Width;
        var frames = cat([.. clips.Select(c => VideoTensors.FromImages(c.Frames))], 0);
        var masks = cat([.. clips.Select(c => Dilate(cat([.. c.InstanceMasks.Select(m => Silhouette(m, c.Spec.EditedObject + 1, size))], 0), 1))], 0);
        var reference = cat([.. clips.Select(c => VideoTensors.FromImages([ClipRenderer.Reference(c.Spec.Scene.Label.Objects[c.Spec.EditedObject], size, size)]))], 0);
        var forward = stack([.. clips.Select(c => Flows(c.ForwardFlow))], 0);
        var backward = stack([.. clips.Select(c => Flows(c.BackwardFlow))], 0);
        return Outer(new ClipBatch(frames, masks, reference, forward, backward));
    }

    /// <summary>Flow fields as (T, 2, H, W).</summary>
    public static Tensor Flows(IReadOnlyList<FlowField> flows)
    {
        ArgumentNullException.ThrowIfNull(flows);
        var (w, h) = (flows[0].Width, flows[0].Height);
        var data = new float[flows.Count * 2 * w * h];
        for (var t = 0; t < flows.Count; t++)
        {
            flows[t].Dx.CopyTo(data, t * 2 * w * h);
            flows[t].Dy.CopyTo(data, ((t * 2) + 1) * w * h);
        }

        return tensor(data, [flows.Count, 2, h, w]);
    }

    /// <summary>The instance id (1-based) with the most visible pixels.</summary>
    private static byte LargestObject(byte[] instances)
    {
        var counts = new int[256];
        foreach (var id in instances)
        {
            counts[id]++;
        }

        var best = 1;
        for (var id = 2; id < 256; id++)
        {
            best = counts[id] > counts[best] ? id : best;
        }

        return (byte)best;
    }

    private static Tensor Silhouette(byte[] instances, int id, int size)
    {
        var data = new float[instances.Length];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = instances[i] == id ? 1f : 0f;
        }

        return tensor(data, [1, 1, size, size]);
    }

    private static Tensor Dilate(Tensor mask, int pixels) => pixels == 0 ? mask : nn.functional.max_pool2d(mask, (2 * pixels) + 1, 1, pixels);

    // The silhouette's bounding box grown by margin pixels (the whole frame when the silhouette is empty).
    private static Tensor Box(Tensor silhouette, int margin)
    {
        var (y0, y1, x0, x1) = Bounds(silhouette, margin);
        var size = silhouette.shape[3];
        var box = zeros(1, 1, size, size);
        box[.., .., y0..y1, x0..x1] = 1;
        return box;
    }

    private static (int Y0, int Y1, int X0, int X1) Bounds(Tensor silhouette, int margin)
    {
        var size = (int)silhouette.shape[3];
        var rows = silhouette.sum([0, 1, 3]).gt(0).data<bool>().ToArray();
        var cols = silhouette.sum([0, 1, 2]).gt(0).data<bool>().ToArray();
        if (!rows.Contains(true))
        {
            return (0, size, 0, size);
        }

        var y0 = Math.Max(0, Array.IndexOf(rows, true) - margin);
        var y1 = Math.Min(size, Array.LastIndexOf(rows, true) + 1 + margin);
        var x0 = Math.Max(0, Array.IndexOf(cols, true) - margin);
        var x1 = Math.Min(size, Array.LastIndexOf(cols, true) + 1 + margin);
        return (y0, y1, x0, x1);
    }

    // A square crop around the silhouette (25% margin), resized to size x size.
    private static Tensor Crop(Tensor frame, Tensor silhouette, int size)
    {
        var (y0, y1, x0, x1) = Bounds(silhouette, 0);
        var side = Math.Min(size, (int)Math.Ceiling(Math.Max(y1 - y0, x1 - x0) * 1.5) + 1);
        var cy = (y0 + y1) / 2;
        var cx = (x0 + x1) / 2;
        var top = Math.Clamp(cy - (side / 2), 0, size - side);
        var left = Math.Clamp(cx - (side / 2), 0, size - side);
        var crop = frame.narrow(2, top, side).narrow(3, left, side);
        return nn.functional.interpolate(crop, [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
    }

    private static ClipBatch Outer(ClipBatch batch) => new(
        batch.Frames.MoveToOuterDisposeScope(), batch.Masks.MoveToOuterDisposeScope(), batch.Reference.MoveToOuterDisposeScope(),
        batch.Forward.MoveToOuterDisposeScope(), batch.Backward.MoveToOuterDisposeScope());
}
