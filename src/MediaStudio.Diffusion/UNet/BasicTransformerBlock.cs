using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>Stable Diffusion's transformer block (diffusers' <c>BasicTransformerBlock</c>): self-attention, cross-attention, GEGLU feed-forward, each pre-LayerNorm and residual.</summary>
/// <remarks>
/// x ← x + attn1(norm1(x)); x ← x + attn2(norm2(x), context); x ← x + ff(norm3(x)), ff = Linear(GEGLU(x)) with inner width 4C.
/// Keys: norm1, attn1, norm2, attn2, norm3, ff.net.0.proj, ff.net.2.
/// </remarks>
public sealed class BasicTransformerBlock : nn.Module<Tensor, Tensor, long, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly UNetAttention attn1;
    private readonly LayerNorm norm2;
    private readonly UNetAttention attn2;
    private readonly LayerNorm norm3;
    private readonly Sequential ff;

    /// <summary>Creates the block.</summary>
    /// <param name="dim">Width C.</param>
    /// <param name="contextDim">Context width Dc.</param>
    /// <param name="heads">Heads of both attentions.</param>
    /// <param name="selfWindows">MSWA-2D windows per head group of the self-attention; empty for full attention.</param>
    public BasicTransformerBlock(long dim, long contextDim, int heads, IReadOnlyList<int> selfWindows) : base(nameof(BasicTransformerBlock))
    {
        norm1 = Norms.LayerNorm(dim);
        attn1 = new UNetAttention(dim, null, heads, selfWindows);
        norm2 = Norms.LayerNorm(dim);
        attn2 = new UNetAttention(dim, contextDim, heads, []);
        norm3 = Norms.LayerNorm(dim);
        ff = nn.Sequential(("net", nn.Sequential(("0", new GeGlu(dim, 4 * dim)), ("2", nn.Linear(4 * dim, dim)))));
        RegisterComponents();
    }

    // (B, T, C), (B, S, Dc), h -> (B, T, C)
    public override Tensor forward(Tensor x, Tensor context, long height)
    {
        using var scope = NewDisposeScope();
        x = x + attn1.forward(norm1.forward(x), null, height);      // (B, T, C)
        x = x + attn2.forward(norm2.forward(x), context, height);   // (B, T, C)
        x = x + ff.forward(norm3.forward(x));                        // (B, T, C)
        return x.MoveToOuterDisposeScope();
    }
}
