using MediaStudio.Neural.Layers;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Layers;

[Collection(NativeTestGroup.Name)]
public sealed class InitTests
{
    [Fact]
    public void TruncNormal_ModuleTree_DrawsDistinctValuesWithinTwoStd()
    {
        // TorchSharp 0.107's nn.init.trunc_normal_ filled every weight with the constant std, so all channels were equal
        using var model = nn.Sequential(nn.Conv2d(3, 16, 3), nn.Linear(16, 32));

        Init.TruncNormal(model, std: 0.02, generator: new Generator(3));

        foreach (var (name, p) in model.named_parameters())
        {
            var values = p.data<float>().ToArray();
            if (name.EndsWith("bias", StringComparison.Ordinal))
            {
                Assert.All(values, v => Assert.Equal(0f, v));
                continue;
            }

            Assert.All(values, v => Assert.InRange(v, -0.04f, 0.04f));
            Assert.True(values.Distinct().Count() > values.Length * 9 / 10, $"{name}: only {values.Distinct().Count()} distinct values of {values.Length}");
            var std = Math.Sqrt(values.Select(v => (double)v * v).Average());
            Assert.InRange(std, 0.015, 0.0205); // a normal cut at +-2 std keeps 0.88 of its std: 0.0176
        }
    }

    [Fact]
    public void TruncNormal_RootLinear_IsInitialisedToo()
    {
        using var linear = nn.Linear(64, 64);

        Init.TruncNormal(linear, std: 0.02, generator: new Generator(5));

        // the default init (uniform +-1/8) would exceed the +-2 std cut
        Assert.True(linear.weight!.abs().max().item<float>() <= 0.04f);
        Assert.True(linear.bias!.eq(0).all().item<bool>());
    }

    [Fact]
    public void TruncatedNormal_SameGenerator_GivesTheSameTensor()
    {
        using var a = empty(100);
        using var b = empty(100);

        Init.TruncatedNormal(a, 1, 0.5, 0, 2, new Generator(11));
        Init.TruncatedNormal(b, 1, 0.5, 0, 2, new Generator(11));

        Assert.True(a.eq(b).all().item<bool>());
        Assert.InRange(a.mean().item<float>(), 0.85f, 1.15f);
    }
}
