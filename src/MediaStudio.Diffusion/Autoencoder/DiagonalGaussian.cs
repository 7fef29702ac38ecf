using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>The encoder's posterior q(z|x) = N(mu, diag(sigma^2)), as diffusers' <c>DiagonalGaussianDistribution</c>.</summary>
/// <remarks>
/// Notation: mu mean, sigma^2 variance, log sigma^2 clamped to [-30, 20] as in SD; C, h, w the latent shape.
/// Sample: z = mu + sigma * eps, eps ~ N(0, I) (the reparameterisation of Kingma and Welling 2014, eq. 10).
/// KL to N(0, I), per sample: KL = 1/2 sum_{c,h,w} (mu^2 + sigma^2 - 1 - log sigma^2) (ibid., appendix B).
/// Owns its tensors; dispose it (or let the enclosing dispose scope take them).
/// </remarks>
public sealed class DiagonalGaussian : IDisposable
{
    /// <summary>Splits the encoder's moments (B, 2C, h, w) into mean and clamped log-variance.</summary>
    /// <param name="moments">Mean and log-variance concatenated on the channel axis.</param>
    public DiagonalGaussian(Tensor moments)
    {
        ArgumentNullException.ThrowIfNull(moments);
        if (moments.dim() != 4 || moments.shape[1] % 2 != 0)
        {
            throw new ArgumentException($"moments must be (B, 2C, h, w), got [{string.Join(", ", moments.shape)}]", nameof(moments));
        }

        using var scope = NewDisposeScope();
        var halves = moments.chunk(2, 1);
        Mean = halves[0].MoveToOuterDisposeScope();                          // (B, C, h, w)
        LogVar = halves[1].clamp(-30.0, 20.0).MoveToOuterDisposeScope();      // (B, C, h, w)
        Std = (LogVar * 0.5).exp().MoveToOuterDisposeScope();                 // (B, C, h, w)
    }

    /// <summary>Creates the distribution from a mean and a log-variance of the same shape (log-variance is clamped).</summary>
    /// <param name="mean">mu (B, C, h, w).</param>
    /// <param name="logVar">log sigma^2 (B, C, h, w).</param>
    /// <returns>The distribution.</returns>
    public static DiagonalGaussian FromMeanLogVar(Tensor mean, Tensor logVar)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(logVar);
        using var moments = cat([mean, logVar], 1);
        return new DiagonalGaussian(moments);
    }

    /// <summary>Gets mu (B, C, h, w).</summary>
    public Tensor Mean { get; }

    /// <summary>Gets log sigma^2 (B, C, h, w), clamped to [-30, 20].</summary>
    public Tensor LogVar { get; }

    /// <summary>Gets sigma (B, C, h, w).</summary>
    public Tensor Std { get; }

    /// <summary>Draws z = mu + sigma * eps (differentiable in mu and sigma).</summary>
    /// <param name="generator">Source of eps; the global generator when null.</param>
    /// <returns>z (B, C, h, w).</returns>
    public Tensor Sample(Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var eps = randn(Mean.shape, dtype: Mean.dtype, device: Mean.device, generator: generator); // (B, C, h, w)
        return (Mean + (Std * eps)).MoveToOuterDisposeScope();
    }

    /// <summary>Returns the mode, mu (a new handle on the same storage).</summary>
    /// <returns>mu (B, C, h, w).</returns>
    public Tensor Mode() => Mean.alias();

    /// <summary>KL divergence to the standard normal, summed over (C, h, w).</summary>
    /// <returns>(B).</returns>
    public Tensor Kl()
    {
        using var scope = NewDisposeScope();
        var terms = Mean.square() + LogVar.exp() - 1.0 - LogVar; // (B, C, h, w)
        return (terms.sum([1, 2, 3]) * 0.5).MoveToOuterDisposeScope();
    }

    /// <summary>Disposes mean, log-variance and standard deviation.</summary>
    public void Dispose()
    {
        Mean.Dispose();
        LogVar.Dispose();
        Std.Dispose();
    }
}
