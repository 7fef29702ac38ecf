using MediaStudio.Diffusion.Video.Flow;
using MediaStudio.Synthetic.Clips;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Video.Flow;

[Collection(NativeTestGroup.Name)]
public sealed class FlowEstimatorTests
{
    [Fact]
    public void Estimate_IdenticalFrames_GivesZeroFlow()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(seed: 5, frameCount: 2));
        using var frame = FlowTensors.FromImages([clip.Frames[0]]);

        using var flow = new FlowEstimator().Estimate(frame, frame);

        Assert.Equal([1L, 2, 64, 64], flow.shape);
        Assert.True(flow.abs().max().item<float>() < 1e-4f, $"largest flow {flow.abs().max().item<float>()} px on identical frames");
    }

    [Fact]
    public void Estimate_WholeFrameShift_RecoversTheShift()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(seed: 7, frameCount: 2));
        using var frame = FlowTensors.FromImages([clip.Frames[0]]);
        using var shifted = roll(frame, [3, -2], [3, 2]); // content moves 3 px right and 2 px up: frame(p) = shifted(p + (3, -2))

        using var flow = new FlowEstimator().Estimate(frame, shifted);

        using var inner = flow[.., .., 8..56, 8..56];
        Assert.Equal(3f, inner[0, 0].mean().item<float>(), 0.1f);
        Assert.Equal(-2f, inner[0, 1].mean().item<float>(), 0.1f);
    }

    [Fact]
    public void Estimate_WorldClip_EndPointErrorUnderBoundAndUnderZeroFlow()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(seed: 11, frameCount: 6));
        using var frames = FlowTensors.FromImages(clip.Frames);
        using var truth = FlowTensors.FromFields(clip.ForwardFlow);
        using var visible = 1 - FlowTensors.FromMasks(clip.Occlusions, 64, 64);
        var estimator = new FlowEstimator();

        using var flow = estimator.Estimate(frames.narrow(0, 0, 5), frames.narrow(0, 1, 5));
        using var again = estimator.Estimate(frames.narrow(0, 0, 5), frames.narrow(0, 1, 5));

        var epe = ((flow - truth).square().sum(1, keepdim: true).sqrt() * visible).sum().item<float>() / visible.sum().item<float>();
        var zero = (truth.square().sum(1, keepdim: true).sqrt() * visible).sum().item<float>() / visible.sum().item<float>();
        // measured: EPE 0.085 px against 0.417 px for a zero flow
        Assert.True(epe < 0.2, $"end-point error {epe:F3} px on visible pixels is over 0.2");
        Assert.True(epe < zero / 2, $"end-point error {epe:F3} px is not under half the zero flow's {zero:F3} px");
        Assert.Equal(0f, (flow - again).abs().max().item<float>());
    }
}
