using MediaStudio.Neural.Training;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Training;

[Collection(NativeTestGroup.Name)]
public sealed class ExponentialMovingAverageTests
{
    [Fact]
    public void Update_FixedDecay_FollowsRecurrence()
    {
        using var model = nn.Linear(2, 1);
        using (no_grad())
        {
            model.weight!.zero_();
            model.bias!.zero_();
        }

        using var ema = new ExponentialMovingAverage(model, 0.9, warmup: false);
        using (no_grad())
        {
            model.weight!.fill_(1);
        }

        ema.Update(model);
        var first = ema.Shadow["weight"][0, 0].item<float>();
        ema.Update(model);
        var second = ema.Shadow["weight"][0, 0].item<float>();

        Assert.Equal(0.1f, first, 6);   // 0.9 * 0 + 0.1 * 1
        Assert.Equal(0.19f, second, 6); // 0.9 * 0.1 + 0.1 * 1
        Assert.Equal(2, ema.Updates);
    }

    [Theory]
    [InlineData(0, 0.1)]      // (1 + 0) / (10 + 0)
    [InlineData(10, 0.55)]    // 11 / 20
    [InlineData(100000, 0.999)]
    public void DecayAt_WithWarmup_RampsToTarget(long updates, double expected)
    {
        using var model = nn.Linear(2, 1);
        using var ema = new ExponentialMovingAverage(model, 0.999);

        Assert.Equal(expected, ema.DecayAt(updates), 12);
    }

    [Fact]
    public void CopyTo_AfterUpdates_WritesShadowIntoModel()
    {
        using var scope = NewDisposeScope();
        manual_seed(51);
        using var model = nn.Linear(3, 2);
        using var ema = new ExponentialMovingAverage(model, 0.5, warmup: false);
        using (no_grad())
        {
            model.weight!.add_(1);
        }

        ema.Update(model);
        using var copy = nn.Linear(3, 2);
        ema.CopyTo(copy);

        Assert.True(copy.weight!.allclose(ema.Shadow["weight"]));
        Assert.True(copy.weight!.allclose(model.weight! - 0.5f, atol: 1e-6));
    }
}
