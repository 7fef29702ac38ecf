using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Layers;

/// <summary>Root-mean-square normalisation over the last dimension (Zhang and Sennrich, 2019).</summary>
/// <remarks>y = x / sqrt(mean(x^2) + eps) * weight, computed in float32 and cast back; weight starts at 1. eps defaults to 1e-6.</remarks>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly double _eps;

    private readonly Parameter weight;

    /// <summary>Creates the norm.</summary>
    /// <param name="dim">Size of the normalised (last) dimension.</param>
    /// <param name="eps">Added to the mean square for stability.</param>
    /// <param name="dtype">Parameter dtype; float32 when null.</param>
    public RmsNorm(long dim, double eps = 1e-6, ScalarType? dtype = null) : base(nameof(RmsNorm))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        _eps = eps;
        weight = new Parameter(ones(dim, dtype: dtype ?? ScalarType.Float32));
        RegisterComponents();
    }

    // (..., D) -> (..., D)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // upcast: the mean square overflows or loses precision in half types
        var x32 = x.to(ScalarType.Float32);
        var normed = x32 * (x32.square().mean([-1], keepdim: true) + _eps).rsqrt(); // (..., D)
        return (normed.to(x.dtype) * weight).MoveToOuterDisposeScope();
    }
}
