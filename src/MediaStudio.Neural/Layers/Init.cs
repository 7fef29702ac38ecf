using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Layers;

/// <summary>Weight initialisers applied to a whole module tree.</summary>
public static class Init
{
    /// <summary>Sets every Conv2d and Linear weight to a truncated normal (std, cut at +-2 std) and every bias to zero.</summary>
    /// <remarks>The ViT/FasterNet/PATNet recipe; std defaults to 0.02. Norm layers keep their own (identity) initialisation.
    /// The root module itself is included (TorchSharp's named_modules() leaves it out).</remarks>
    /// <param name="module">Root of the module tree.</param>
    /// <param name="std">Standard deviation of the weights.</param>
    /// <param name="generator">Optional generator for seeded initialisation.</param>
    public static void TruncNormal(nn.Module module, double std = 0.02, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var guard = no_grad();
        foreach (var child in module.named_modules().Select(m => m.module).Prepend(module))
        {
            var (weight, bias) = child switch
            {
                Conv2d conv => (conv.weight, conv.bias),
                Linear linear => (linear.weight, linear.bias),
                _ => (null, null),
            };
            if (weight is not null)
            {
                TruncatedNormal(weight, 0, std, -2 * std, 2 * std, generator);
            }

            bias?.zero_();
        }
    }

    /// <summary>Fills a tensor in place with N(mean, std^2) truncated to [a, b] (inverse-CDF sampling, as torch.nn.init.trunc_normal_).</summary>
    /// <remarks>
    /// TorchSharp 0.107's own <c>nn.init.trunc_normal_</c> fills the tensor with the constant <paramref name="std"/>,
    /// which makes every channel of a network identical (symmetry that training never breaks), so it must not be used.
    /// Here: u ~ U(2 Phi(alpha) - 1, 2 Phi(beta) - 1), x = mean + std sqrt(2) erfinv(u), clamped to [a, b],
    /// with alpha = (a - mean) / std, beta = (b - mean) / std and Phi the standard normal CDF.
    /// </remarks>
    /// <param name="tensor">Tensor to fill (floating point).</param>
    /// <param name="mean">Mean of the untruncated normal.</param>
    /// <param name="std">Standard deviation of the untruncated normal.</param>
    /// <param name="a">Lower cut.</param>
    /// <param name="b">Upper cut.</param>
    /// <param name="generator">Optional generator for seeded sampling.</param>
    /// <returns>The same tensor.</returns>
    public static Tensor TruncatedNormal(Tensor tensor, double mean, double std, double a, double b, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(std);
        if (!(a < b))
        {
            throw new ArgumentException($"the truncation interval [{a}, {b}] is empty", nameof(b));
        }

        using var guard = no_grad();
        var low = NormalCdf((a - mean) / std);
        var high = NormalCdf((b - mean) / std);
        tensor.uniform_((2 * low) - 1, (2 * high) - 1, generator);
        tensor.erfinv_();
        tensor.mul_(std * Math.Sqrt(2.0)).add_(mean);
        tensor.clamp_(a, b);
        return tensor;
    }

    // Phi(z) = (1 + erf(z / sqrt 2)) / 2
    private static double NormalCdf(double z)
    {
        using var t = TorchSharp.torch.tensor(z / Math.Sqrt(2.0), ScalarType.Float64);
        using var erf = t.erf();
        return (1.0 + erf.item<double>()) / 2.0;
    }
}
