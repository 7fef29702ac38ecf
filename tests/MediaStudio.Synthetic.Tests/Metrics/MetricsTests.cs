using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Metrics;
using MediaStudio.Synthetic.Rendering;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Tests.Metrics;

public sealed class MetricsTests
{
    private static readonly RgbImage Scene = SceneRendering.Render(SceneSampler.Sample(21));

    [Fact]
    public void Psnr_IdenticalImages_IsInfiniteAndSsimIsOne()
    {
        Assert.True(double.IsPositiveInfinity(ImageMetrics.Psnr(Scene, Scene.Clone())));
        Assert.Equal(1.0, ImageMetrics.Ssim(Scene, Scene.Clone()), 9);
    }

    [Fact]
    public void Psnr_ConstantOffset_MatchesTheFormula()
    {
        var a = new RgbImage(8, 8);
        var b = new RgbImage(8, 8);
        Array.Fill(a.Pixels, (byte)100);
        Array.Fill(b.Pixels, (byte)110);

        Assert.Equal(10 * Math.Log10(255.0 * 255.0 / 100.0), ImageMetrics.Psnr(a, b), 9);
    }

    [Fact]
    public void PsnrAndSsim_WithMask_SeparateInsideFromOutside()
    {
        var frame = SceneRendering.RenderClean(SceneSampler.Sample(21));
        var damaged = frame.Image.Clone();
        for (var i = 0; i < frame.Instances.Length; i++)
        {
            if (frame.Instances[i] != 0)
            {
                damaged.Pixels[i * 3] = (byte)(255 - damaged.Pixels[i * 3]);
            }
        }

        Assert.True(double.IsPositiveInfinity(ImageMetrics.Psnr(frame.Image, damaged, frame.Instances, inside: false)));
        Assert.True(ImageMetrics.Psnr(frame.Image, damaged, frame.Instances, inside: true) < 15);
        Assert.True(ImageMetrics.Ssim(frame.Image, damaged, frame.Instances, inside: true) < ImageMetrics.Ssim(frame.Image, damaged, frame.Instances, inside: false));
    }

    [Fact]
    public void Ssim_StrongerBlur_ScoresLower()
    {
        var once = Degrader.Apply(Scene, [new DegradationSpec(DegradationKind.Blur)], 0);
        var twice = Degrader.Apply(once, [new DegradationSpec(DegradationKind.Blur)], 0);

        Assert.True(ImageMetrics.Ssim(Scene, twice) < ImageMetrics.Ssim(Scene, once));
        Assert.True(ImageMetrics.Ssim(Scene, once) < 1);
    }

    [Fact]
    public void IoU_KnownMasks_GivesRatio()
    {
        byte[] a = [1, 1, 0, 0];
        byte[] b = [0, 1, 1, 0];

        Assert.Equal(1 / 3.0, MaskMetrics.IoU(a, b), 9);
        Assert.Equal(1.0, MaskMetrics.IoU(new byte[4], new byte[4]));
        Assert.Equal(0.25, MaskMetrics.IoU([2, 2, 1, 0], [2, 0, 2, 2], 2), 9);
    }

    [Fact]
    public void ColorHistogramDistance_IdenticalIsZero_DisjointIsOne()
    {
        var red = new RgbImage(4, 4);
        var blue = new RgbImage(4, 4);
        for (var i = 0; i < 16; i++)
        {
            red.Pixels[i * 3] = 250;
            blue.Pixels[(i * 3) + 2] = 250;
        }

        Assert.Equal(0, ColorHistogram.Distance(Scene, Scene.Clone()), 9);
        Assert.Equal(1, ColorHistogram.Distance(red, blue), 9);
        Assert.True(ColorHistogram.Distance(Scene, Degrader.Apply(Scene, [new DegradationSpec(DegradationKind.WrongColors)], 0)) > 0.3);
    }

    [Fact]
    public void Diversity_IdenticalSamplesAreZero_DifferentScenesArePositive()
    {
        var same = Enumerable.Repeat(Scene, 3).ToList();
        var different = Enumerable.Range(0, 4).Select(s => SceneRendering.Render(SceneSampler.Sample(s))).ToList();

        Assert.Equal(0, Diversity.MeanPairwiseDistance(same));
        Assert.True(Diversity.MeanPairwiseDistance(different) > 0.1);
    }

    [Fact]
    public void WarpingErrorAndFlicker_GroundTruthClip_AreSmallAndGrowWhenFramesFlicker()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(2, frameCount: 10));
        var flickering = clip.Frames.Select((f, t) => t % 2 == 0 ? f : Degrader.Apply(f, [new DegradationSpec(DegradationKind.LowContrast)], t)).ToList();

        var error = TemporalMetrics.WarpingError(clip.Frames, clip.ForwardFlow, clip.Occlusions);
        var flicker = TemporalMetrics.Flicker(clip.Frames, clip.ForwardFlow, clip.Occlusions);

        Assert.True(error < 1e-3, $"warping error {error}");
        Assert.True(TemporalMetrics.WarpingError(flickering, clip.ForwardFlow, clip.Occlusions) > 10 * error);
        Assert.True(TemporalMetrics.Flicker(flickering, clip.ForwardFlow, clip.Occlusions) > flicker);
    }
}
