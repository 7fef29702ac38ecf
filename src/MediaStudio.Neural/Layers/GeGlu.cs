using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Layers;

/// <summary>GEGLU projection (Shazeer, 2020), diffusers' <c>GEGLU</c>: one Linear to 2 x out, then hidden * GELU(gate).</summary>
/// <remarks>The first layer of the Stable Diffusion transformer feed-forward (<c>ff.net.0.proj</c>).</remarks>
public sealed class GeGlu : nn.Module<Tensor, Tensor>
{
    private readonly Linear proj;

    /// <summary>Creates the projection.</summary>
    /// <param name="dimIn">Input width.</param>
    /// <param name="dimOut">Output width (the Linear produces twice this).</param>
    /// <param name="dtype">Parameter dtype; float32 when null.</param>
    public GeGlu(long dimIn, long dimOut, ScalarType? dtype = null) : base(nameof(GeGlu))
    {
        proj = nn.Linear(dimIn, 2 * dimOut, dtype: dtype);
        RegisterComponents();
    }

    // (B, T, Din) -> (B, T, Dout)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var parts = proj.forward(x).chunk(2, dim: -1);            // 2 x (B, T, Dout): hidden, gate
        return (parts[0] * nn.functional.gelu(parts[1])).MoveToOuterDisposeScope();
    }
}
