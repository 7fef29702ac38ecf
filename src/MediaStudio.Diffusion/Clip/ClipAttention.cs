using MediaStudio.Neural.Attention;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Clip;

/// <summary>Causal multi-head self-attention of the CLIP text transformer (HF CLIPAttention's keys).</summary>
/// <remarks>q = x Wq, k = x Wk, v = x Wv split into H heads of d = D / H; softmax(q kᵀ / √d + causal) v; out_proj.</remarks>
public sealed class ClipAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear out_proj;
    private readonly int _heads;

    /// <summary>Creates the attention of one layer.</summary>
    /// <param name="config">Validated text config.</param>
    public ClipAttention(ClipTextConfig config) : base(nameof(ClipAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        _heads = config.NumAttentionHeads;
        q_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        k_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        v_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        out_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    // (B, T, D) -> (B, T, D), each position attends to itself and earlier positions only
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (b, t, d) = (x.shape[0], x.shape[1], x.shape[2]);
        var q = q_proj.forward(x).view(b, t, _heads, d / _heads).transpose(1, 2); // (B, H, T, d)
        var k = k_proj.forward(x).view(b, t, _heads, d / _heads).transpose(1, 2); // (B, H, T, d)
        var v = v_proj.forward(x).view(b, t, _heads, d / _heads).transpose(1, 2); // (B, H, T, d)
        var y = ScaledDotProduct.Fused(q, k, v, causal: true);                    // (B, H, T, d)
        y = y.transpose(1, 2).reshape(b, t, d);                                   // (B, T, D)
        return out_proj.forward(y).MoveToOuterDisposeScope();
    }
}
