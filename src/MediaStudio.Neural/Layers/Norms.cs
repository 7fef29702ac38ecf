using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Layers;

/// <summary>Normalisation layers created with well-defined initial parameters.</summary>
public static class Norms
{
    /// <summary>Creates a GroupNorm with weight 1 and bias 0.</summary>
    /// <remarks>TorchSharp 0.107.0 leaves GroupNorm's affine parameters uninitialised (NaN or 1e28 seen),
    /// so every GroupNorm in the studio is created here.</remarks>
    public static GroupNorm GroupNorm(long groups, long channels, double eps = 1e-5, ScalarType? dtype = null)
    {
        var norm = nn.GroupNorm(groups, channels, eps, affine: true, dtype: dtype);
        using (no_grad())
        {
            norm.weight!.fill_(1.0);
            norm.bias!.zero_();
        }

        return norm;
    }

    /// <summary>Creates a LayerNorm over the last dimension with weight 1 and bias 0 set explicitly.</summary>
    /// <remarks>TorchSharp's LayerNorm initialises correctly today; setting the affine parameters here keeps every
    /// norm in the studio on one well-defined path.</remarks>
    public static LayerNorm LayerNorm(long dim, double eps = 1e-5, bool elementwiseAffine = true, ScalarType? dtype = null)
    {
        var norm = nn.LayerNorm(dim, eps, elementwiseAffine, dtype: dtype);
        if (elementwiseAffine)
        {
            using (no_grad())
            {
                norm.weight!.fill_(1.0);
                norm.bias?.zero_();
            }
        }

        return norm;
    }

    /// <summary>Creates an RMSNorm over the last dimension with weight 1.</summary>
    public static RmsNorm RmsNorm(long dim, double eps = 1e-6, ScalarType? dtype = null) => new(dim, eps, dtype);
}
