using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>A feature map through transformer blocks and back (diffusers' <c>Transformer2DModel</c> with linear projections).</summary>
/// <remarks>
/// y = x + proj_out(blocks(proj_in(tokens(norm(x))))), tokens: (B, C, h, w) -> (B, h·w, C) row-major. The GroupNorm
/// uses eps 1e-6 as in Stable Diffusion. proj_out may be zero-initialised by the owner, making the block start as the identity.
/// </remarks>
public sealed class Transformer2DModel : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly GroupNorm norm;
    private readonly Linear proj_in;
    private readonly ModuleList<BasicTransformerBlock> transformer_blocks;
    private readonly Linear proj_out;

    /// <summary>Creates the model.</summary>
    /// <param name="channels">Width C of the feature map.</param>
    /// <param name="contextDim">Context width Dc.</param>
    /// <param name="heads">Heads of every attention.</param>
    /// <param name="layers">Transformer blocks.</param>
    /// <param name="groups">GroupNorm groups.</param>
    /// <param name="selfWindows">MSWA-2D windows per head group; empty for full self-attention.</param>
    public Transformer2DModel(long channels, long contextDim, int heads, int layers, int groups, IReadOnlyList<int> selfWindows)
        : base(nameof(Transformer2DModel))
    {
        norm = Norms.GroupNorm(groups, channels, 1e-6);
        proj_in = nn.Linear(channels, channels);
        transformer_blocks = nn.ModuleList([.. Enumerable.Range(0, layers).Select(_ => new BasicTransformerBlock(channels, contextDim, heads, selfWindows))]);
        proj_out = nn.Linear(channels, channels);
        RegisterComponents();
    }

    // (B, C, h, w), (B, S, Dc) -> (B, C, h, w)
    public override Tensor forward(Tensor x, Tensor context)
    {
        using var scope = NewDisposeScope();
        var (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        var tokens = norm.forward(x).flatten(2).transpose(1, 2);     // (B, h·w, C)
        tokens = proj_in.forward(tokens);
        foreach (var block in transformer_blocks)
        {
            tokens = block.forward(tokens, context, h);               // (B, h·w, C)
        }

        var y = proj_out.forward(tokens).transpose(1, 2).reshape(b, c, h, w); // (B, C, h, w)
        return (x + y).MoveToOuterDisposeScope();
    }
}
