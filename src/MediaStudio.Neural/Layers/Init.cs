using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Layers;

/// <summary>Weight initialisers applied to a whole module tree.</summary>
public static class Init
{
    /// <summary>Sets every Conv2d and Linear weight to a truncated normal (std, cut at +-2 std) and every bias to zero.</summary>
    /// <remarks>The ViT/FasterNet/PATNet recipe; std defaults to 0.02. Norm layers keep their own (identity) initialisation.</remarks>
    /// <param name="module">Root of the module tree.</param>
    /// <param name="std">Standard deviation of the weights.</param>
    /// <param name="generator">Optional generator for seeded initialisation.</param>
    public static void TruncNormal(nn.Module module, double std = 0.02, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var guard = no_grad();
        foreach (var (_, child) in module.named_modules())
        {
            var (weight, bias) = child switch
            {
                Conv2d conv => (conv.weight, conv.bias),
                Linear linear => (linear.weight, linear.bias),
                _ => (null, null),
            };
            if (weight is not null)
            {
                nn.init.trunc_normal_(weight, 0, std, -2 * std, 2 * std, generator);
            }

            bias?.zero_();
        }
    }
}
