using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>The autoencoder's training objective: per-pixel L1, an image-gradient L1 and a weighted KL (no GAN, no LPIPS).</summary>
/// <remarks>
/// Notation: x target, x_hat reconstruction (B, 3, H, W); D_x, D_y forward differences along width and height;
/// P = 3 H W elements per image; KL the posterior's KL to N(0, I) summed over the latent (<see cref="DiagonalGaussian.Kl"/>).
/// L = mean|x_hat - x| (or its w-weighted mean, <see cref="WeightedReconstruction"/>) + lambda_g (mean|D_x x_hat - D_x x| + mean|D_y x_hat - D_y x|) + lambda_kl mean_B(KL) / P.
/// SD's LPIPSWithDiscriminator sums the L1 over pixels and adds kl_weight * KL per image; dividing both by P keeps
/// their ratio, so lambda_kl = 1e-6 here is SD's kl_weight. The gradient term stands in for LPIPS, which needs
/// pretrained VGG weights the studio does not have.
/// </remarks>
public static class AutoencoderLoss
{
    /// <summary>Computes the loss of one batch: encode, sample the posterior, decode.</summary>
    /// <param name="model">Model in training mode.</param>
    /// <param name="images">x (B, 3, H, W) in [-1, 1].</param>
    /// <param name="klWeight">lambda_kl.</param>
    /// <param name="gradientWeight">lambda_g.</param>
    /// <param name="generator">Source of the posterior sample; the global generator when null.</param>
    /// <param name="weights">Optional per-pixel L1 weights (B, 1, H, W), e.g. heavier on objects; null is the plain mean.</param>
    /// <returns>The scalar loss with its graph.</returns>
    public static Tensor Compute(AutoencoderKL model, Tensor images, double klWeight, double gradientWeight, Generator? generator = null, Tensor? weights = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        using var scope = NewDisposeScope();
        using var posterior = model.Encode(images);
        var reconstruction = model.Decode(posterior.Sample(generator));          // (B, 3, H, W)
        var loss = weights is null ? Reconstruction(reconstruction, images) : WeightedReconstruction(reconstruction, images, weights);
        if (gradientWeight > 0)
        {
            loss += gradientWeight * Gradient(reconstruction, images);
        }

        if (klWeight > 0)
        {
            var elements = images.shape[1] * images.shape[2] * images.shape[3];  // P
            loss += klWeight * posterior.Kl().mean() / elements;
        }

        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>mean|x_hat - x|.</summary>
    /// <param name="reconstruction">x_hat (B, C, H, W).</param>
    /// <param name="target">x (B, C, H, W).</param>
    /// <returns>Scalar.</returns>
    public static Tensor Reconstruction(Tensor reconstruction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(reconstruction);
        ArgumentNullException.ThrowIfNull(target);
        using var difference = reconstruction - target;
        return difference.abs().mean();
    }

    /// <summary>sum(w |x_hat - x|) / sum(w) over every channel: the weighted mean, equal to the plain L1 when w is constant.</summary>
    /// <param name="reconstruction">x_hat (B, C, H, W).</param>
    /// <param name="target">x (B, C, H, W).</param>
    /// <param name="weights">w (B, 1, H, W), positive.</param>
    /// <returns>Scalar.</returns>
    public static Tensor WeightedReconstruction(Tensor reconstruction, Tensor target, Tensor weights)
    {
        ArgumentNullException.ThrowIfNull(reconstruction);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(weights);
        using var scope = NewDisposeScope();
        var weighted = ((reconstruction - target).abs() * weights).mean();       // mean over (B, C, H, W)
        return (weighted / weights.mean()).MoveToOuterDisposeScope();
    }

    /// <summary>mean|D_x x_hat - D_x x| + mean|D_y x_hat - D_y x|: edges and flat regions must match, not only colours.</summary>
    /// <param name="reconstruction">x_hat (B, C, H, W).</param>
    /// <param name="target">x (B, C, H, W).</param>
    /// <returns>Scalar.</returns>
    public static Tensor Gradient(Tensor reconstruction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(reconstruction);
        ArgumentNullException.ThrowIfNull(target);
        using var scope = NewDisposeScope();
        var d = reconstruction - target;                                          // (B, C, H, W)
        var h = d.shape[2];
        var w = d.shape[3];
        var dx = d.narrow(3, 1, w - 1) - d.narrow(3, 0, w - 1);                  // (B, C, H, W-1)
        var dy = d.narrow(2, 1, h - 1) - d.narrow(2, 0, h - 1);                  // (B, C, H-1, W)
        return (dx.abs().mean() + dy.abs().mean()).MoveToOuterDisposeScope();
    }
}
