using MediaStudio.Neural.Layers;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Layers;

[Collection(NativeTestGroup.Name)]
public sealed class NormsTests
{
    [Fact]
    public void GroupNorm_AfterMemoryIsDirtied_StartsAtIdentityAffine()
    {
        // fill the allocator with large values first: TorchSharp's own GroupNorm would pick them up
        using (var junk = full(1 << 20, 1e28f))
        {
            junk.add_(1);
        }

        using var norm = Norms.GroupNorm(4, 32);

        Assert.True(norm.weight!.eq(1).all().item<bool>());
        Assert.True(norm.bias!.eq(0).all().item<bool>());
    }

    [Fact]
    public void GroupNorm_Forward_NormalisesEachGroup()
    {
        using var scope = NewDisposeScope();
        using var norm = Norms.GroupNorm(2, 4);
        var x = randn(3, 4, 5, 5, generator: new Generator(7)) * 10 + 3;

        var y = norm.forward(x).reshape(3, 2, -1); // (B, groups, C/groups * H * W)

        Assert.True(y.mean([2]).abs().max().item<float>() < 1e-4f);
        Assert.True((y.std([2], unbiased: false) - 1).abs().max().item<float>() < 1e-3f);
    }
}
