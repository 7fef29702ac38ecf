using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Layers;

/// <summary>SwiGLU feed-forward block (Shazeer, 2020, "GLU Variants Improve Transformer"), LLaMA-style keys.</summary>
/// <remarks>y = down_proj(SiLU(gate_proj(x)) * up_proj(x)). No biases, as in LLaMA.</remarks>
public sealed class SwiGlu : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate_proj;
    private readonly Linear up_proj;
    private readonly Linear down_proj;

    /// <summary>Creates the block.</summary>
    /// <param name="dim">Model width D.</param>
    /// <param name="hiddenDim">Hidden width I.</param>
    /// <param name="dtype">Parameter dtype; float32 when null.</param>
    public SwiGlu(long dim, long hiddenDim, ScalarType? dtype = null) : base(nameof(SwiGlu))
    {
        gate_proj = nn.Linear(dim, hiddenDim, hasBias: false, dtype: dtype);
        up_proj = nn.Linear(dim, hiddenDim, hasBias: false, dtype: dtype);
        down_proj = nn.Linear(hiddenDim, dim, hasBias: false, dtype: dtype);
        RegisterComponents();
    }

    // (B, T, D) -> (B, T, D)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var gated = nn.functional.silu(gate_proj.forward(x)) * up_proj.forward(x); // (B, T, I)
        return down_proj.forward(gated).MoveToOuterDisposeScope();
    }
}
