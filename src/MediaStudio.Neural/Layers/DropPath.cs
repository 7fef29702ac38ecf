using static TorchSharp.torch;

namespace MediaStudio.Neural.Layers;

/// <summary>Stochastic depth: drops a whole residual branch per sample while training (Huang et al., 2016).</summary>
/// <remarks>Identity in eval mode or when the drop probability is 0. Kept samples are scaled by 1 / (1 - p).</remarks>
public sealed class DropPath : nn.Module<Tensor, Tensor>
{
    private readonly double _probability;

    /// <summary>Creates the layer.</summary>
    /// <param name="probability">Probability of dropping the branch for one sample, in [0, 1).</param>
    public DropPath(double probability) : base(nameof(DropPath))
    {
        if (probability is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "drop path probability must be in [0, 1)");
        }

        _probability = probability;
        RegisterComponents();
    }

    // (B, ...) -> (B, ...)
    public override Tensor forward(Tensor x)
    {
        if (!training || _probability == 0)
        {
            return x.alias();
        }

        using var scope = NewDisposeScope();
        var keep = 1 - _probability;
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = x.shape[0];
        var mask = rand(shape, dtype: x.dtype, device: x.device).lt(keep).to(x.dtype); // (B, 1, ..., 1)
        return (x * mask / keep).MoveToOuterDisposeScope();
    }
}
