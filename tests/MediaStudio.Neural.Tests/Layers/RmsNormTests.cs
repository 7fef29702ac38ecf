using MediaStudio.Neural.Layers;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Layers;

[Collection(NativeTestGroup.Name)]
public sealed class RmsNormTests
{
    [Fact]
    public void Forward_UnitWeight_GivesUnitRootMeanSquare()
    {
        using var scope = NewDisposeScope();
        using var norm = Norms.RmsNorm(16);
        var x = randn(3, 5, 16, generator: new Generator(1)) * 7;

        var y = norm.forward(x);

        var rms = y.square().mean([-1]).sqrt();
        Assert.True((rms - 1).abs().max().item<float>() < 1e-3f);
        Assert.True(y.allclose(x / x.square().mean([-1], keepdim: true).add(1e-6).sqrt(), rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Forward_HalfInput_KeepsDtypeAndMatchesFloat()
    {
        using var scope = NewDisposeScope();
        using var norm = Norms.RmsNorm(8, dtype: ScalarType.BFloat16);
        var x = randn(4, 8, generator: new Generator(2)) * 100;

        var y = norm.forward(x.to(ScalarType.BFloat16));

        Assert.Equal(ScalarType.BFloat16, y.dtype);
        Assert.True(y.to(float32).allclose(x / x.square().mean([-1], keepdim: true).sqrt(), rtol: 2e-2, atol: 2e-2));
    }

    [Fact]
    public void LayerNorm_Factory_StartsAtIdentityAffineAndNormalises()
    {
        using var scope = NewDisposeScope();
        TensorAssert.DirtyMemory();
        using var norm = Norms.LayerNorm(10);
        var x = randn(6, 10, generator: new Generator(3)) * 5 + 2;

        var y = norm.forward(x);

        Assert.True(norm.weight!.eq(1).all().item<bool>());
        Assert.True(norm.bias!.eq(0).all().item<bool>());
        Assert.True(y.mean([-1]).abs().max().item<float>() < 1e-4f);
    }

    [Fact]
    public void ChannelLayerNorm_Forward_NormalisesEachPixelAcrossChannels()
    {
        using var scope = NewDisposeScope();
        using var norm = new ChannelLayerNorm(6);
        var x = randn(2, 6, 3, 4, generator: new Generator(4)) * 3 + 1;

        var y = norm.forward(x);

        TensorAssert.Shape(y, 2, 6, 3, 4);
        Assert.True(y.mean([1]).abs().max().item<float>() < 1e-4f);
    }
}
