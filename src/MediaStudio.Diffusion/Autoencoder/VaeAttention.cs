// Architecture after huggingface/diffusers (Apache-2.0): src/diffusers/models/attention_processor.py, Attention with
// AttnProcessor2_0 as UNetMidBlock2D builds it for the VAE (residual, group_norm, one head, rescale factor 1).
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>Single-head spatial self-attention of the VAE mid block, with diffusers' keys (group_norm, to_q, to_k, to_v, to_out.0).</summary>
/// <remarks>
/// Notation: x (B, C, H, W), N = H W tokens of width C. h = GroupNorm(x) as (B, N, C);
/// y = to_out(softmax(q k^T / sqrt(C)) v) as (B, C, H, W); output x + y.
/// </remarks>
public sealed class VaeAttention : nn.Module<Tensor, Tensor>
{
    private readonly GroupNorm group_norm;
    private readonly Linear to_q;
    private readonly Linear to_k;
    private readonly Linear to_v;
    private readonly ModuleList<Linear> to_out;

    /// <summary>Creates the block.</summary>
    /// <param name="channels">C; must be divisible by <paramref name="groups"/>.</param>
    /// <param name="groups">GroupNorm groups.</param>
    /// <param name="eps">GroupNorm eps (1e-6 as in SD).</param>
    public VaeAttention(long channels, int groups, double eps = 1e-6)
        : base(nameof(VaeAttention))
    {
        if (groups < 1 || channels % groups != 0)
        {
            throw new ArgumentException($"groups ({groups}) must divide channels ({channels})", nameof(groups));
        }

        group_norm = Norms.GroupNorm(groups, channels, eps);
        to_q = nn.Linear(channels, channels);
        to_k = nn.Linear(channels, channels);
        to_v = nn.Linear(channels, channels);
        to_out = new ModuleList<Linear>(nn.Linear(channels, channels));
        RegisterComponents();
    }

    // (B, C, H, W) -> (B, C, H, W)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        var tokens = group_norm.forward(x).view(b, c, h * w).transpose(1, 2);       // (B, N, C)
        var q = to_q.forward(tokens).unsqueeze(1);                                    // (B, 1, N, C)
        var k = to_k.forward(tokens).unsqueeze(1);                                    // (B, 1, N, C)
        var v = to_v.forward(tokens).unsqueeze(1);                                    // (B, 1, N, C)
        var attended = nn.functional.scaled_dot_product_attention(q, k, v).squeeze(1); // (B, N, C)
        var y = to_out[0].forward(attended).transpose(1, 2).reshape(b, c, h, w);      // (B, C, H, W)
        return (x + y).MoveToOuterDisposeScope();
    }
}
