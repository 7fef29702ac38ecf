using MediaStudio.Neural.Layers;
using MediaStudio.Neural.Pat;
using TorchSharp;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests;

[Collection(NativeTestGroup.Name)]
public sealed class DisposeScopeLeakTests
{
    private static long LiveAfter(Action forward)
    {
        DisposeScopeManager.Statistics.Reset();
        var baseline = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (NewDisposeScope())
        {
            using var guard = no_grad();
            forward();
        }

        return DisposeScopeManager.Statistics.ThreadTotalLiveCount - baseline;
    }

    [Fact]
    public void PatClassifierForward_InsideScope_LeavesNoLiveTensors()
    {
        using var model = PatClassifier.FromConfig(PatNetConfig.Tiny, new Generator(71));
        model.eval();
        using var x = randn(2, 3, 32, 32, generator: new Generator(72));

        var leaked = LiveAfter(() => model.forward(x));

        Assert.Equal(0, leaked);
    }

    [Fact]
    public void PatEncoderWithFeatureMaps_InsideScope_LeavesNoLiveTensors()
    {
        using var encoder = PatEncoder.FromConfig(PatNetConfig.Tiny, new Generator(73));
        encoder.eval();
        using var x = randn(1, 3, 32, 32, generator: new Generator(74));

        var leaked = LiveAfter(() => encoder.Encode(x, includeFeatureMaps: true));

        Assert.Equal(0, leaked);
    }

    [Fact]
    public void ResBlockAndTimestepEmbedding_InsideScope_LeaveNoLiveTensors()
    {
        using var block = new ResBlock(8, 16, 32, groups: 4);
        using var embedding = new TimestepEmbedding(8, 32);
        using var x = randn(2, 8, 4, 4, generator: new Generator(75));
        using var t = tensor(new long[] { 3, 700 });

        var leaked = LiveAfter(() => block.forward(x, embedding.forward(t)));

        Assert.Equal(0, leaked);
    }

    [Fact]
    public void TrainingModeForwardAndBackward_InsideScope_LeavesOnlyGradients()
    {
        using var model = PatClassifier.FromConfig(PatNetConfig.Tiny, new Generator(76));
        using var x = randn(2, 3, 32, 32, generator: new Generator(77));
        var parameters = model.parameters().ToArray();

        DisposeScopeManager.Statistics.Reset();
        var baseline = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (NewDisposeScope())
        {
            model.forward(x).square().mean().backward();
        }

        // the only tensors allowed to outlive the step are the parameters' .grad, owned by libtorch, not by this scope
        Assert.Equal(0, DisposeScopeManager.Statistics.ThreadTotalLiveCount - baseline);
        Assert.All(parameters, p => Assert.NotNull(p.grad));
    }
}
