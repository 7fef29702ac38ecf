using System.Diagnostics;
using MediaStudio.Diffusion.Video.Training;
using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Metrics;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Pipelines;

/// <summary>One row of the video-editing evaluation: the means over the held-out clips.</summary>
/// <param name="Name">Ablation row.</param>
/// <param name="PsnrInside">PSNR (dB) against the ground-truth edit inside the edit region (old ∪ new object).</param>
/// <param name="PsnrOutside">PSNR (dB) outside it.</param>
/// <param name="WarpingError">Flow warping error (MSE on [0, 1], ground-truth flow and occlusions; Lai et al. 2018).</param>
/// <param name="Flicker">Mean absolute change of flow-aligned mean luma between frames.</param>
/// <param name="ReferenceDistance">Hellinger distance between the colour histograms of the edited object region and the reference's object (0 = same colours).</param>
/// <param name="SecondsPerFrame">Wall-clock seconds per frame of the whole edit.</param>
public sealed record VideoEditScore(string Name, double PsnrInside, double PsnrOutside, double WarpingError, double Flicker, double ReferenceDistance, double SecondsPerFrame);

/// <summary>
/// Evaluates video editing on held-out world clips (seeds from <see cref="VideoEditData.HeldOutSeedStart"/>) against
/// their ground-truth edits: the clip's edited object is replaced by the reference of its replacement appearance.
/// </summary>
/// <remarks>
/// The pipeline gets the ground-truth masks of the original object (as a perfect tracker would give), so the rows
/// compare editing alone; mask propagation is scored separately by IoU. PSNR is averaged in dB over frames and clips.
/// Reference fidelity compares the colours of the edited frame inside the ground-truth new object with the colours of
/// the reference image's object (its pixels that differ from the reference's flat background).
/// </remarks>
public static class VideoEditEvaluation
{
    /// <summary>Renders the held-out clips.</summary>
    public static IReadOnlyList<Synthetic.Clips.Clip> Clips(int count, int frames, int size) =>
        [.. Enumerable.Range(0, count).Select(i => ClipRenderer.Render(ClipSampler.Sample(VideoEditData.HeldOutSeedStart + i, size, size, frameCount: frames)))];

    /// <summary>The ground-truth masks of each clip's edited object (0/255).</summary>
    public static IReadOnlyList<byte[]> Masks(Synthetic.Clips.Clip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        var id = (byte)(clip.Spec.EditedObject + 1);
        return [.. clip.InstanceMasks.Select(m => m.Select(v => v == id ? (byte)255 : (byte)0).ToArray())];
    }

    /// <summary>Scores a pipeline on the clips.</summary>
    public static VideoEditScore Score(
        string name, VideoEditPipeline pipeline, IReadOnlyList<Synthetic.Clips.Clip> clips, VideoEditSettings settings, CancellationToken ct,
        Action<int, IReadOnlyList<RgbImage>>? onEdited = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(settings);
        double inside = 0, outside = 0, warp = 0, flicker = 0, reference = 0, seconds = 0;
        var frames = 0;
        for (var c = 0; c < clips.Count; c++)
        {
            var clip = clips[c];
            var masks = Masks(clip);
            var request = new VideoEditRequest(
                clip.Frames, masks[0], clip.Edit.Reference, settings.Steps, settings.Guidance, Seed: c, ChunkFrames: settings.ChunkFrames, ChunkOverlap: settings.ChunkOverlap, MaskShape: settings.MaskShape);
            var clock = Stopwatch.StartNew();
            var edited = pipeline.EditWithMasks(request, masks, null, ct);
            seconds += clock.Elapsed.TotalSeconds;
            onEdited?.Invoke(c, edited);
            var (objectMask, referenceMask) = (EditedObject(clip), ReferenceObject(clip.Edit.Reference));
            for (var f = 0; f < edited.Count; f++)
            {
                var region = Region(clip, f);
                inside += Finite(ImageMetrics.Psnr(edited[f], clip.Edit.Frames[f], region, inside: true));
                outside += Finite(ImageMetrics.Psnr(edited[f], clip.Edit.Frames[f], region, inside: false));
                reference += objectMask[f].Any(v => v != 0) ? ColorHistogram.Distance(edited[f], clip.Edit.Reference, 8, objectMask[f], referenceMask) : 0;
            }

            warp += TemporalMetrics.WarpingError(edited, clip.ForwardFlow, clip.Occlusions) * edited.Count;
            flicker += TemporalMetrics.Flicker(edited, clip.ForwardFlow, clip.Occlusions) * edited.Count;
            frames += edited.Count;
        }

        return new VideoEditScore(name, inside / frames, outside / frames, warp / frames, flicker / frames, reference / frames, seconds / frames);
    }

    /// <summary>The same metrics for given frames (the ground-truth edit itself, or the source clip), without timing.</summary>
    public static VideoEditScore ScoreFrames(string name, IReadOnlyList<Synthetic.Clips.Clip> clips, Func<Synthetic.Clips.Clip, IReadOnlyList<RgbImage>> frames)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(frames);
        double inside = 0, outside = 0, warp = 0, flicker = 0, reference = 0;
        var count = 0;
        foreach (var clip in clips)
        {
            var video = frames(clip);
            var (objectMask, referenceMask) = (EditedObject(clip), ReferenceObject(clip.Edit.Reference));
            for (var f = 0; f < video.Count; f++)
            {
                var region = Region(clip, f);
                inside += Finite(ImageMetrics.Psnr(video[f], clip.Edit.Frames[f], region, inside: true));
                outside += Finite(ImageMetrics.Psnr(video[f], clip.Edit.Frames[f], region, inside: false));
                reference += objectMask[f].Any(v => v != 0) ? ColorHistogram.Distance(video[f], clip.Edit.Reference, 8, objectMask[f], referenceMask) : 0;
            }

            warp += TemporalMetrics.WarpingError(video, clip.ForwardFlow, clip.Occlusions) * video.Count;
            flicker += TemporalMetrics.Flicker(video, clip.ForwardFlow, clip.Occlusions) * video.Count;
            count += video.Count;
        }

        return new VideoEditScore(name, inside / count, outside / count, warp / count, flicker / count, reference / count, 0);
    }

    /// <summary>The ground-truth edit resized to <paramref name="size"/>² and back: the best the pixel path at that side can do.</summary>
    public static IReadOnlyList<RgbImage> ResizeRoundTrip(IReadOnlyList<RgbImage> frames, int size)
    {
        ArgumentNullException.ThrowIfNull(frames);
        using var scope = NewDisposeScope();
        var x = VideoTensors.FromImages(frames);
        var back = VideoTensors.Resize(VideoTensors.Resize(x, size, size), x.shape[2], x.shape[3]);
        return Diffusion.Pipelines.ImageTensors.ToImages(back);
    }

    /// <summary>The ground-truth edit through an autoencoder (encode to latents, decode): the best a latent-space editor on it could do.</summary>
    public static IReadOnlyList<RgbImage> AutoencoderRoundTrip(IReadOnlyList<RgbImage> frames, Autoencoder.AutoencoderKL autoencoder)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(autoencoder);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return Diffusion.Pipelines.ImageTensors.ToImages(autoencoder.DecodeLatents(autoencoder.EncodeLatents(VideoTensors.FromImages(frames))));
    }

    /// <summary>Mean IoU of propagated masks against the ground truth over frames 2..F.</summary>
    public static double MaskIoU(IReadOnlyList<Synthetic.Clips.Clip> clips, Func<IReadOnlyList<RgbImage>, byte[], CancellationToken, IReadOnlyList<byte[]>> propagate, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(propagate);
        double total = 0;
        var count = 0;
        foreach (var clip in clips)
        {
            var truth = Masks(clip);
            var predicted = propagate(clip.Frames, truth[0], ct);
            for (var f = 1; f < truth.Count; f++)
            {
                total += MaskMetrics.IoU(predicted[f], truth[f]);
                count++;
            }
        }

        return count == 0 ? 1 : total / count;
    }

    // PSNR of identical selections is +inf; cap at 60 dB so means stay finite.
    private static double Finite(double psnr) => Math.Min(psnr, 60);

    // Pixels where the original or the replacement object is: what the edit should change.
    private static byte[] Region(Synthetic.Clips.Clip clip, int f)
    {
        var id = (byte)(clip.Spec.EditedObject + 1);
        var (a, b) = (clip.InstanceMasks[f], clip.Edit.InstanceMasks[f]);
        return [.. a.Select((v, i) => v == id || b[i] == id ? (byte)1 : (byte)0)];
    }

    private static byte[][] EditedObject(Synthetic.Clips.Clip clip)
    {
        var id = (byte)(clip.Spec.EditedObject + 1);
        return [.. clip.Edit.InstanceMasks.Select(m => m.Select(v => v == id ? (byte)1 : (byte)0).ToArray())];
    }

    // The reference's object: pixels that differ from its flat background (the corner colour).
    private static byte[] ReferenceObject(RgbImage reference)
    {
        var p = reference.Pixels;
        var mask = new byte[reference.Width * reference.Height];
        for (var i = 0; i < mask.Length; i++)
        {
            var d = Math.Abs(p[i * 3] - p[0]) + Math.Abs(p[(i * 3) + 1] - p[1]) + Math.Abs(p[(i * 3) + 2] - p[2]);
            mask[i] = d > 24 ? (byte)1 : (byte)0;
        }

        return mask;
    }
}

/// <summary>The sampling settings every clip of an evaluation is edited with.</summary>
public sealed record VideoEditSettings(int Steps, float Guidance, int ChunkFrames, int ChunkOverlap, EditMaskShape MaskShape);
