using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Editor;

/// <summary>A small trainable patch encoder: the reference image as tokens for the editor's cross-attention.</summary>
/// <remarks>
/// Notation: R (B, 3, S, S) the reference in [-1, 1], p the patch side, N = (S/p)² tokens, D the token width.
/// tokens = LN(patchify(SiLU(conv_in(R))) + pos), patchify = Conv(p×p, stride p). Keys conv_in, patch, position, norm.
/// </remarks>
public sealed class ReferencePatchEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv_in;
    private readonly Conv2d patch;
    private readonly Parameter position;
    private readonly LayerNorm norm;

    /// <summary>Creates the encoder.</summary>
    /// <param name="stem">Stem width.</param>
    /// <param name="width">Token width D.</param>
    /// <param name="patchSize">Patch side p.</param>
    /// <param name="tokens">Token count N.</param>
    public ReferencePatchEncoder(long stem, long width, long patchSize, long tokens) : base(nameof(ReferencePatchEncoder))
    {
        conv_in = nn.Conv2d(3, stem, 3, padding: 1);
        patch = nn.Conv2d(stem, width, patchSize, stride: patchSize);
        position = new Parameter(randn(1, tokens, width) * 0.02f);
        norm = Norms.LayerNorm(width);
        RegisterComponents();
    }

    // (B, 3, S, S) -> (B, N, D)
    public override Tensor forward(Tensor reference)
    {
        using var scope = NewDisposeScope();
        var x = patch.forward(nn.functional.silu(conv_in.forward(reference)));  // (B, D, S/p, S/p)
        var tokens = x.flatten(2).transpose(1, 2) + position;                    // (B, N, D)
        return norm.forward(tokens).MoveToOuterDisposeScope();
    }
}
