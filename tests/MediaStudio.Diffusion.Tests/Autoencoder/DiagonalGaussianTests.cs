using MediaStudio.Diffusion.Autoencoder;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Autoencoder;

[Collection(NativeTestGroup.Name)]
public sealed class DiagonalGaussianTests
{
    [Fact]
    public void Kl_RandomMoments_MatchesClosedFormPerSample()
    {
        using var g = new Generator(3);
        using var mean = randn([2, 4, 3, 3], generator: g);
        using var logVar = randn([2, 4, 3, 3], generator: g) * 0.5;
        using var posterior = DiagonalGaussian.FromMeanLogVar(mean, logVar);

        using var kl = posterior.Kl();

        var mu = mean.data<float>().ToArray();
        var lv = logVar.data<float>().ToArray();
        var perSample = mu.Length / 2;
        Assert.Equal([2L], kl.shape);
        for (var b = 0; b < 2; b++)
        {
            // KL(N(mu, s^2) || N(0, 1)) = 1/2 (mu^2 + s^2 - 1 - ln s^2), summed over the latent
            double expected = 0;
            for (var i = b * perSample; i < (b + 1) * perSample; i++)
            {
                expected += 0.5 * ((mu[i] * (double)mu[i]) + Math.Exp(lv[i]) - 1 - lv[i]);
            }

            Assert.Equal(expected, kl[b].item<float>(), 3);
        }
    }

    [Fact]
    public void Kl_StandardNormal_IsZero()
    {
        using var moments = zeros(1, 8, 2, 2);
        using var posterior = new DiagonalGaussian(moments);

        using var kl = posterior.Kl();

        Assert.Equal(0f, kl.item<float>(), 6);
    }

    [Fact]
    public void Sample_SameGeneratorSeed_IsIdenticalAndOtherSeedDiffers()
    {
        using var moments = randn(2, 8, 4, 4);
        using var posterior = new DiagonalGaussian(moments);
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        using var g3 = new Generator(6);

        using var a = posterior.Sample(g1);
        using var b = posterior.Sample(g2);
        using var c = posterior.Sample(g3);

        Assert.True(a.allclose(b, rtol: 0, atol: 0));
        Assert.False(a.allclose(c, rtol: 0, atol: 0));
    }

    [Fact]
    public void Sample_ManyDraws_HaveTheDistributionsMeanAndStd()
    {
        using var mean = full(1, 1, 200, 200, 1.5f);
        using var logVar = full(1, 1, 200, 200, (float)Math.Log(0.25)); // sigma = 0.5
        using var posterior = DiagonalGaussian.FromMeanLogVar(mean, logVar);
        using var g = new Generator(9);

        using var z = posterior.Sample(g);

        Assert.Equal(1.5, z.mean().item<float>(), 1);
        Assert.Equal(0.5, z.std().item<float>(), 1);
    }

    [Fact]
    public void Constructor_ExtremeLogVariance_IsClampedAsInStableDiffusion()
    {
        using var moments = cat([zeros(1, 2, 1, 1), full(1, 1, 1, 1, 100f), full(1, 1, 1, 1, -100f)], 1);
        using var posterior = new DiagonalGaussian(moments);

        Assert.Equal([20f, -30f], posterior.LogVar.flatten().data<float>().ToArray());
    }

    [Fact]
    public void Constructor_OddChannelCount_ThrowsArgumentException()
    {
        using var moments = zeros(1, 3, 2, 2);

        Assert.Throws<ArgumentException>(() => new DiagonalGaussian(moments));
    }
}
