using MediaStudio.Diffusion.Autoencoder;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Autoencoder;

[Collection(NativeTestGroup.Name)]
public sealed class AutoencoderKLTests
{
    [Fact]
    public void EncodeDecode_TinyConfig_LatentIsQuarterSizeWithFourChannels()
    {
        using var model = AutoencoderTestData.TinyModel();
        using var x = AutoencoderTestData.WorldBatch(2);
        using var guard = no_grad();

        using var posterior = model.Encode(x);
        using var latents = model.EncodeLatents(x);
        using var decoded = model.DecodeLatents(latents);

        Assert.Equal(4, model.Config.DownsampleFactor);
        Assert.Equal([2L, 4, 4, 4], posterior.Mean.shape);
        Assert.Equal([2L, 4, 4, 4], posterior.LogVar.shape);
        Assert.Equal([2L, 4, 4, 4], latents.shape);
        Assert.Equal([2L, 3, 16, 16], decoded.shape);
    }

    [Fact]
    public void EncodeDecode_NonSquareMultipleOfFour_KeepsAspect()
    {
        using var model = AutoencoderTestData.TinyModel();
        using var guard = no_grad();
        using var x = rand(1, 3, 24, 32) * 2 - 1;

        using var latents = model.EncodeLatents(x);
        using var decoded = model.DecodeLatents(latents);

        Assert.Equal([1L, 4, 6, 8], latents.shape);
        Assert.Equal([1L, 3, 24, 32], decoded.shape);
    }

    [Theory]
    [InlineData(3, 18, 16)]
    [InlineData(3, 16, 2)]
    [InlineData(1, 16, 16)]
    public void Encode_WrongSizeInput_ThrowsArgumentExceptionNamingTheShape(int channels, int height, int width)
    {
        using var model = AutoencoderTestData.TinyModel();
        using var x = zeros(1, channels, height, width);

        var error = Assert.Throws<ArgumentException>(() => model.Encode(x));

        Assert.Equal("images", error.ParamName);
        Assert.Contains(channels == 3 ? $"{height}x{width}" : $"[1, {channels}, {height}, {width}]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeLatents_WrongChannelCount_ThrowsArgumentException()
    {
        using var model = AutoencoderTestData.TinyModel();
        using var z = zeros(1, 3, 4, 4);

        var error = Assert.Throws<ArgumentException>(() => model.DecodeLatents(z));

        Assert.Contains("(B, 4, h, w)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EncodeLatents_WithScalingFactor_IsPosteriorMeanTimesFactorAndDecodeInvertsIt()
    {
        using var model = AutoencoderTestData.TinyModel();
        model.UseScalingFactor(0.37);
        using var x = AutoencoderTestData.WorldBatch(2);
        using var guard = no_grad();

        using var posterior = model.Encode(x);
        using var scaled = model.EncodeLatents(x);
        using var expected = posterior.Mean * 0.37;
        using var fromScaled = model.DecodeLatents(scaled);
        using var fromUnscaled = model.Decode(posterior.Mean);

        Assert.True(allclose(scaled, expected, rtol: 1e-6, atol: 1e-7), "scaled latents = mean * scaling_factor");
        // float32 through the decoder: (m · s) / s is m to within an ulp or two, amplified a little by the layers
        Assert.True(allclose(fromScaled, fromUnscaled, rtol: 1e-4, atol: 1e-5), $"DecodeLatents divides by the scaling factor (max difference {(fromScaled - fromUnscaled).abs().max().item<float>()})");
    }

    [Fact]
    public void EncodeLatents_SameGeneratorSeed_SameSampleAndNotTheMean()
    {
        using var model = AutoencoderTestData.TinyModel();
        using var x = AutoencoderTestData.WorldBatch(2);
        using var guard = no_grad();
        using var g1 = new Generator(11);
        using var g2 = new Generator(11);

        using var a = model.EncodeLatents(x, g1);
        using var b = model.EncodeLatents(x, g2);
        using var mean = model.EncodeLatents(x);

        Assert.True(a.allclose(b, rtol: 0, atol: 0), "same generator seed gives the same sample");
        Assert.False(a.allclose(mean, rtol: 0, atol: 0), "a sample differs from the mean");
    }

    [Fact]
    public void Constructor_FreshModel_HasNoNaNOrHugeParameters()
    {
        using var model = AutoencoderTestData.TinyModel();

        foreach (var (name, p) in model.named_parameters())
        {
            Assert.False(p.isnan().any().item<bool>(), $"{name} holds NaN");
            Assert.True(p.abs().max().item<float>() < 1e3f, $"{name} holds an absurd value");
        }
    }

    [Fact]
    public void StateDict_TinyConfig_MatchesApprovedShapes()
    {
        using var model = AutoencoderTestData.TinyModel();

        Approval.Verify("AutoencoderKL.tiny", Approval.Describe(model));
    }

    [Fact]
    public void Validate_GroupsNotDividingWidth_ThrowsNamingTheValue()
    {
        var config = AutoencoderKLConfig.Tiny with { BlockOutChannels = [8, 10, 16] };

        var error = Assert.Throws<ArgumentException>(config.Validate);

        Assert.Contains("10", error.Message, StringComparison.Ordinal);
        Assert.Equal("BlockOutChannels", error.ParamName);
    }

    [Fact]
    public void UseScalingFactor_NonPositive_ThrowsAndKeepsTheOldFactor()
    {
        using var model = AutoencoderTestData.TinyModel();

        Assert.Throws<ArgumentException>(() => model.UseScalingFactor(0));
        Assert.Equal(1.0, model.Config.ScalingFactor);
    }
}
