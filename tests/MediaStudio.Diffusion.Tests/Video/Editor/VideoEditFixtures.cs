using MediaStudio.Diffusion.UNet;
using MediaStudio.Diffusion.Video.Editor;
using MediaStudio.Diffusion.Video.Motion;
using MediaStudio.Media.Images;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Video.Editor;

/// <summary>Tiny editors, motion modules and inputs shared by the video-editing tests.</summary>
internal static class VideoEditFixtures
{
    public static ReferenceEditor Editor(long seed)
    {
        manual_seed(seed);
        return new ReferenceEditor(ReferenceEditorConfig.Tiny);
    }

    public static IReadOnlyList<int> Points => UNet2DConditionModel.PointChannels(ReferenceEditorConfig.Tiny.UNet);

    public static MotionModules Motion(long seed)
    {
        manual_seed(seed);
        return new MotionModules(new MotionModuleConfig { PointChannels = Points, NormNumGroups = 8, BaseWindow = 4 });
    }

    public static MotionReference Reference(long seed)
    {
        manual_seed(seed);
        return new MotionReference(new MotionReferenceConfig { PointChannels = Points, NormNumGroups = 8 });
    }

    /// <summary>Makes every zero-initialised output projection non-zero, as training would.</summary>
    public static void Perturb(nn.Module module, long seed)
    {
        using var guard = no_grad();
        var generator = new Generator((ulong)seed);
        foreach (var (name, p) in module.named_parameters())
        {
            if (name.Contains("proj_out", StringComparison.Ordinal))
            {
                p.copy_(randn(p.shape, generator: generator) * 0.3f);
            }
        }
    }

    /// <summary>A (F, 11, S, S) editor input (the hint included), (F) timesteps and (F, N, D) reference context for one clip.</summary>
    public static (Tensor Input, Tensor Timesteps, Tensor Context) Clip(ReferenceEditor editor, int frames, long seed)
    {
        var generator = new Generator((ulong)seed);
        var s = editor.Config.ImageSize;
        var noisy = randn([frames, 3, s, s], generator: generator);
        var source = (rand([frames, 3, s, s], generator: generator) * 2) - 1;
        var mask = rand([frames, 1, s, s], generator: generator).gt(0.5f).to_type(ScalarType.Float32);
        var reference = (rand([1, 3, s, s], generator: generator) * 2) - 1;
        var context = editor.EncodeReference(reference).expand(frames, -1, -1);
        return (ReferenceEditor.Inputs(noisy, mask, source, editor.Hint(reference, mask)), full(frames, 500L, ScalarType.Int64), context);
    }

    /// <summary>Smooth test frames (a moving bright square on a gradient), W × H, and a mask around the square.</summary>
    public static (IReadOnlyList<RgbImage> Frames, IReadOnlyList<byte[]> Masks) Frames(int count, int width, int height)
    {
        var frames = new List<RgbImage>();
        var masks = new List<byte[]>();
        for (var t = 0; t < count; t++)
        {
            var image = new RgbImage(width, height);
            var mask = new byte[width * height];
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var inside = x >= 4 + t && x < 12 + t && y >= 6 && y < 14;
                    var o = image.Offset(x, y);
                    image.Pixels[o] = (byte)(inside ? 230 : 8 * x);
                    image.Pixels[o + 1] = (byte)(inside ? 40 : 8 * y);
                    image.Pixels[o + 2] = (byte)(inside ? 40 : 100);
                    mask[(y * width) + x] = inside ? (byte)255 : (byte)0;
                }
            }

            frames.Add(image);
            masks.Add(mask);
        }

        return (frames, masks);
    }

    /// <summary>Constant flows (F−1, 2, S, S): every pixel moves by (dx, 0) forward and back.</summary>
    public static (Tensor Forward, Tensor Backward) Flows(int frames, int size, float dx)
    {
        var forward = zeros(frames - 1, 2, size, size);
        forward[.., 0] = dx;
        return (forward, -forward);
    }
}
