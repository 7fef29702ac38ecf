using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Rendering;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Clips;

/// <summary>Renders a clip spec to frames, instance masks, forward/backward flow, occlusion masks and the ground-truth edit.</summary>
/// <remarks>
/// Notation: c_t is the camera offset at frame t, so pixel p shows world point u = p + ½ + c_t. For a pixel on
/// object k with pose P_t, its local point l = P_t⁻¹(u) is rigidly attached to the object, hence
/// p' = P_{t+1}(l) − c_{t+1} − ½ and the forward flow is F_t(p) = p' − p. Background pixels move by c_t − c_{t+1}.
/// A pixel is marked in the occlusion mask (no reliable correspondence in frame t+1) when p + F_t(p) leaves the
/// frame or lands on another instance, or when it is a mixed pixel on an instance boundary (its 3x3 neighbourhood
/// holds two instances), where anti-aliasing blends two motions and no single flow vector is correct.
/// </remarks>
public static class ClipRenderer
{
    /// <summary>Renders everything for one clip.</summary>
    public static Clip Render(ClipSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var label = spec.Scene.Label;
        var style = BackgroundStyle.FromSeed(spec.Scene.Seed);
        var poses = Enumerable.Range(0, spec.FrameCount).Select(t => spec.Tracks.Select(track => track.At(spec.Time(t))).ToArray()).ToArray();

        var frames = new List<RenderedFrame>();
        var edited = new List<RenderedFrame>();
        var editedSpecs = label.Objects.Select((o, k) => k == spec.EditedObject ? spec.Replacement : o).ToList();
        for (var t = 0; t < spec.FrameCount; t++)
        {
            var (cx, cy) = spec.Camera(t);
            frames.Add(SceneRenderer.Render(spec.Width, spec.Height, label.Background, style, cx, cy, Place(label.Objects, poses[t])));
            edited.Add(SceneRenderer.Render(spec.Width, spec.Height, label.Background, style, cx, cy, Place(editedSpecs, poses[t])));
        }

        var forward = new List<FlowField>();
        var backward = new List<FlowField>();
        var occlusions = new List<byte[]>();
        for (var t = 0; t + 1 < spec.FrameCount; t++)
        {
            forward.Add(Flow(spec, frames[t].Instances, poses[t], poses[t + 1], spec.Camera(t), spec.Camera(t + 1)));
            backward.Add(Flow(spec, frames[t + 1].Instances, poses[t + 1], poses[t], spec.Camera(t + 1), spec.Camera(t)));
            occlusions.Add(Occlusion(forward[^1], frames[t].Instances, frames[t + 1].Instances));
        }

        var edit = new ClipEdit(
            spec.EditedObject,
            spec.Replacement,
            [.. edited.Select(f => f.Image)],
            [.. edited.Select(f => f.Instances)],
            Reference(spec.Replacement, spec.Width, spec.Height));
        return new Clip(spec, [.. frames.Select(f => f.Image)], [.. frames.Select(f => f.Instances)], forward, backward, occlusions, edit);
    }

    /// <summary>Returns the indices of <paramref name="samples"/> frames spread evenly over <paramref name="frameCount"/>, first and last included.</summary>
    public static int[] EvenFrames(int frameCount, int samples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        return [.. Enumerable.Range(0, samples).Select(i => samples == 1 ? 0 : (int)Math.Round(i * (frameCount - 1) / (double)(samples - 1)))];
    }

    /// <summary>Renders <paramref name="samples"/> frames spread evenly over the clip, first and last included: what the captioner and the motion recognizer read.</summary>
    public static IReadOnlyList<RgbImage> RenderEvenFrames(ClipSpec spec, int samples)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return RenderFrames(spec, EvenFrames(spec.FrameCount, samples));
    }

    /// <summary>Renders only the listed frames of a clip (no masks, flow or edit): what a captioner samples over time.</summary>
    /// <param name="spec">The clip.</param>
    /// <param name="frames">0-based frame indices, each below <see cref="ClipSpec.FrameCount"/>.</param>
    public static IReadOnlyList<RgbImage> RenderFrames(ClipSpec spec, IReadOnlyList<int> frames)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(frames);
        var style = BackgroundStyle.FromSeed(spec.Scene.Seed);
        var images = new List<RgbImage>(frames.Count);
        foreach (var t in frames)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(t, nameof(frames));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(t, spec.FrameCount, nameof(frames));
            var (cx, cy) = spec.Camera(t);
            var poses = spec.Tracks.Select(track => track.At(spec.Time(t))).ToArray();
            images.Add(SceneRenderer.Render(spec.Width, spec.Height, spec.Scene.Label.Background, style, cx, cy, Place(spec.Scene.Label.Objects, poses)).Image);
        }

        return images;
    }

    /// <summary>Renders an appearance alone, centred and upright on a neutral background: the edit's reference image.</summary>
    public static RgbImage Reference(ObjectSpec appearance, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(appearance);
        var neutral = appearance.Color is NamedColor.Gray or NamedColor.Black ? NamedColor.White : NamedColor.Gray;
        var pose = new ObjectPose(width / 2.0, height / 2.0, Math.Min(width, height) * 0.36, 0);
        return SceneRenderer.Render(
            width, height, new BackgroundSpec(BackgroundKind.Flat, neutral, null), new BackgroundStyle(0, 8, 0), 0, 0, [new PlacedObject(appearance, pose)]).Image;
    }

    /// <summary>Warps <paramref name="next"/> back onto the grid of the current frame: out(p) = next(p + F(p)), bilinear, border-clamped.</summary>
    public static RgbImage Warp(RgbImage next, FlowField flow)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(flow);
        var (w, h) = (next.Width, next.Height);
        var result = new RgbImage(w, h);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var i = (y * w) + x;
                var sx = Math.Clamp(x + flow.Dx[i], 0, w - 1);
                var sy = Math.Clamp(y + flow.Dy[i], 0, h - 1);
                var x0 = (int)Math.Floor(sx);
                var y0 = (int)Math.Floor(sy);
                var x1 = Math.Min(x0 + 1, w - 1);
                var y1 = Math.Min(y0 + 1, h - 1);
                var fx = sx - x0;
                var fy = sy - y0;
                for (var c = 0; c < 3; c++)
                {
                    var top = (next.Pixels[next.Offset(x0, y0) + c] * (1 - fx)) + (next.Pixels[next.Offset(x1, y0) + c] * fx);
                    var bottom = (next.Pixels[next.Offset(x0, y1) + c] * (1 - fx)) + (next.Pixels[next.Offset(x1, y1) + c] * fx);
                    result.Pixels[(i * 3) + c] = (byte)Math.Clamp(Math.Round((top * (1 - fy)) + (bottom * fy)), 0, 255);
                }
            }
        }

        return result;
    }

    private static List<PlacedObject> Place(IReadOnlyList<ObjectSpec> specs, ObjectPose[] poses) =>
        [.. specs.Select((o, k) => new PlacedObject(o, poses[k]))];

    private static FlowField Flow(ClipSpec spec, byte[] instances, ObjectPose[] from, ObjectPose[] to, (double X, double Y) cameraFrom, (double X, double Y) cameraTo)
    {
        var flow = new FlowField(spec.Width, spec.Height);
        for (var y = 0; y < spec.Height; y++)
        {
            for (var x = 0; x < spec.Width; x++)
            {
                var i = (y * spec.Width) + x;
                var id = instances[i];
                if (id == 0)
                {
                    flow.Dx[i] = (float)(cameraFrom.X - cameraTo.X);
                    flow.Dy[i] = (float)(cameraFrom.Y - cameraTo.Y);
                    continue;
                }

                var (lx, ly) = from[id - 1].ToLocal(x + 0.5 + cameraFrom.X, y + 0.5 + cameraFrom.Y);
                var (wx, wy) = to[id - 1].ToWorld(lx, ly);
                flow.Dx[i] = (float)(wx - cameraTo.X - 0.5 - x);
                flow.Dy[i] = (float)(wy - cameraTo.Y - 0.5 - y);
            }
        }

        return flow;
    }

    private static bool OnBoundary(byte[] instances, int w, int h, int x, int y)
    {
        var id = instances[(y * w) + x];
        for (var dy = -1; dy <= 1; dy++)
        {
            for (var dx = -1; dx <= 1; dx++)
            {
                if (instances[(Math.Clamp(y + dy, 0, h - 1) * w) + Math.Clamp(x + dx, 0, w - 1)] != id)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static byte[] Occlusion(FlowField forward, byte[] instances, byte[] nextInstances)
    {
        var (w, h) = (forward.Width, forward.Height);
        var occluded = new byte[w * h];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var i = (y * w) + x;
                var tx = x + forward.Dx[i];
                var ty = y + forward.Dy[i];
                if (tx < 0 || ty < 0 || tx > w - 1 || ty > h - 1)
                {
                    occluded[i] = 1;
                    continue;
                }

                var j = ((int)Math.Round(ty) * w) + (int)Math.Round(tx);
                occluded[i] = nextInstances[j] == instances[i] && !OnBoundary(instances, w, h, x, y) ? (byte)0 : (byte)1;
            }
        }

        return occluded;
    }
}
