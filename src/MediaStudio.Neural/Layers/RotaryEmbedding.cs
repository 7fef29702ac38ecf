using static TorchSharp.torch;

namespace MediaStudio.Neural.Layers;

/// <summary>Rotary position embedding (RoFormer) in the Llama half-split layout: dimension i pairs with i + dim/2.</summary>
/// <remarks>
/// Notation: x (..., T, dim), p = absolute position, θ = base. Pair i (0 ≤ i &lt; dim/2) rotates by the angle
/// p·θ^(−2i/F), where F is <c>frequencyDim</c>; F defaults to dim. A smaller rotated slice that keeps the
/// frequencies of a wider head (MLA's decoupled key initialised from whole Llama pairs, papers-llm.md §1) passes
/// the wider head size as F. The layer has no weights: the inverse frequencies are computed per call, so nothing
/// enters the state dict.
/// </remarks>
public sealed class RotaryEmbedding : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly int _dim;
    private readonly double _theta;
    private readonly int _frequencyDim;

    /// <summary>Creates a rotary embedding over the last <paramref name="dim"/> features.</summary>
    /// <param name="dim">Rotated width; must be even.</param>
    /// <param name="theta">Frequency base. Defaults to 10000.</param>
    /// <param name="frequencyDim">Width whose frequency ladder is used; 0 means <paramref name="dim"/>.</param>
    public RotaryEmbedding(int dim, double theta = 10000.0, int frequencyDim = 0) : base(nameof(RotaryEmbedding))
    {
        if (dim <= 0 || dim % 2 != 0)
        {
            throw new ArgumentException($"rotary dim must be a positive even number, got {dim}", nameof(dim));
        }

        if (frequencyDim != 0 && frequencyDim < dim)
        {
            throw new ArgumentException($"frequencyDim must be 0 or at least dim ({dim}), got {frequencyDim}", nameof(frequencyDim));
        }

        _dim = dim;
        _theta = theta;
        _frequencyDim = frequencyDim == 0 ? dim : frequencyDim;
        RegisterComponents();
    }

    /// <summary>Rotated width.</summary>
    public int Dim => _dim;

    // x (..., T, dim), positions (T) int64 -> (..., T, dim)
    public override Tensor forward(Tensor x, Tensor positions)
    {
        using var scope = NewDisposeScope();
        var exponent = arange(0, _dim, 2, dtype: ScalarType.Float64, device: x.device) / _frequencyDim;      // (dim/2)
        var invFreq = pow(_theta, -exponent);                                                                 // (dim/2)
        var angles = outer(positions.to(ScalarType.Float64), invFreq);                                       // (T, dim/2)
        var emb = cat([angles, angles], -1);                                                                  // (T, dim)
        var cos = emb.cos().to(x.dtype);
        var sin = emb.sin().to(x.dtype);
        var half = _dim / 2;
        var rotated = cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);                                               // rotate_half(x)
        return (x * cos + rotated * sin).MoveToOuterDisposeScope();
    }
}
