using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Video.Flow;
using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Clips;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Video.Flow;

[Collection(NativeTestGroup.Name)]
public sealed class FlowWarpTests
{
    [Fact]
    public void Warp_NextFrameByGroundTruthFlow_ReproducesFrameOutsideOcclusions()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(seed: 11, frameCount: 6));
        var count = clip.ForwardFlow.Count;
        using var next = FlowTensors.FromImages([.. clip.Frames.Skip(1)]);
        using var flow = FlowTensors.FromFields(clip.ForwardFlow);

        using var warped = FlowWarp.Warp(next, flow);
        var images = ImageTensors.ToImages(warped);

        var psnrs = new List<double>();
        for (var t = 0; t < count; t++)
        {
            psnrs.Add(Psnr(images[t], clip.Frames[t], clip.Occlusions[t]));
        }

        // measured 36.5-40.4 dB on this clip (bilinear resampling of anti-aliased edges is the residual)
        Assert.All(psnrs, p => Assert.True(p > 32, $"PSNR outside occlusions {p:F2} dB is under 32 dB"));
    }

    [Fact]
    public void Warp_MatchesTheCpuReferenceWarp()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(seed: 23, frameCount: 3));
        using var next = FlowTensors.FromImages([clip.Frames[1]]);
        using var flow = FlowTensors.FromFields([clip.ForwardFlow[0]]);

        using var warped = FlowWarp.Warp(next, flow);
        var torchWarp = ImageTensors.ToImages(warped)[0];
        var reference = ClipRenderer.Warp(clip.Frames[1], clip.ForwardFlow[0]);

        var worst = torchWarp.Pixels.Zip(reference.Pixels, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1, $"grid_sample and the CPU reference differ by {worst} levels (rounding allows 1)");
    }

    [Fact]
    public void Warp_ZeroFlow_ReturnsInput()
    {
        using var x = rand(2, 3, 9, 13, generator: new Generator(5));
        using var flow = zeros(2, 2, 9, 13);

        using var warped = FlowWarp.Warp(x, flow);

        Assert.True(warped.allclose(x, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Warp_WholePixelShift_MovesContentAndClampsAtBorder()
    {
        using var x = arange(5 * 7, ScalarType.Float32).view(1, 1, 5, 7);
        using var flow = zeros(1, 2, 5, 7);
        flow[0, 0] = full(5, 7, 2f); // dx = +2: out(u, v) = x(u + 2, v)

        using var warped = FlowWarp.Warp(x, flow);

        using var expected = cat([x[.., .., .., 2..], x[.., .., .., 6..].expand(1, 1, 5, 2)], 3);
        Assert.True(warped.allclose(expected, rtol: 0, atol: 1e-4));
    }

    [Fact]
    public void Weights_GroundTruthFlowPair_HighOutsideOcclusionsAndFlagsOcclusions()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(seed: 11, frameCount: 6));
        using var forward = FlowTensors.FromFields(clip.ForwardFlow);
        using var backward = FlowTensors.FromFields(clip.BackwardFlow);
        var (w, h) = (clip.Spec.Width, clip.Spec.Height);
        using var occluded = FlowTensors.FromMasks(clip.Occlusions, w, h);

        using var weights = FlowConsistency.Weights(forward, backward);
        using var hard = FlowConsistency.Occlusion(forward, backward);

        using var visible = 1 - occluded;
        var meanVisible = (weights * visible).sum().item<float>() / visible.sum().item<float>();
        var falseOcclusions = (hard * visible).sum().item<float>() / visible.sum().item<float>();
        var caught = (hard * occluded).sum().item<float>() / occluded.sum().item<float>();

        // measured: mean visible weight 0.998, 0.2% false occlusions, 30% of the ground-truth mask caught (the rest are
        // anti-aliased boundary pixels, which the renderer marks but whose flow round-trips fine)
        Assert.True(meanVisible > 0.95, $"mean weight on visible pixels {meanVisible:F3} is under 0.95");
        Assert.True(falseOcclusions < 0.02, $"{falseOcclusions:P1} of visible pixels were flagged occluded");
        Assert.True(caught > 0.15, $"only {caught:P1} of ground-truth occlusions were flagged");
        Assert.InRange(weights.min().item<float>(), 0f, 1f);
        Assert.InRange(weights.max().item<float>(), 0f, 1f);
    }

    private static double Psnr(RgbImage a, RgbImage b, byte[] occluded)
    {
        double sum = 0;
        long n = 0;
        for (var i = 0; i < occluded.Length; i++)
        {
            if (occluded[i] != 0)
            {
                continue;
            }

            for (var c = 0; c < 3; c++)
            {
                var d = a.Pixels[(i * 3) + c] - b.Pixels[(i * 3) + c];
                sum += d * d;
                n++;
            }
        }

        var mse = sum / n;
        return 10 * Math.Log10(255.0 * 255.0 / Math.Max(mse, 1e-10));
    }
}
