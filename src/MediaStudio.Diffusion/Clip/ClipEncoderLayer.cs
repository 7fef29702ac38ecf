using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Clip;

/// <summary>One pre-LN transformer layer of the CLIP text tower: x + attn(LN(x)), then + mlp(LN(x)).</summary>
public sealed class ClipEncoderLayer : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm layer_norm1;
    private readonly ClipAttention self_attn;
    private readonly LayerNorm layer_norm2;
    private readonly ClipMlp mlp;

    /// <summary>Creates the layer.</summary>
    /// <param name="config">Validated text config.</param>
    public ClipEncoderLayer(ClipTextConfig config) : base(nameof(ClipEncoderLayer))
    {
        ArgumentNullException.ThrowIfNull(config);
        layer_norm1 = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        self_attn = new ClipAttention(config);
        layer_norm2 = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        mlp = new ClipMlp(config);
        RegisterComponents();
    }

    // (B, T, D) -> (B, T, D)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x + self_attn.forward(layer_norm1.forward(x)); // (B, T, D)
        h = h + mlp.forward(layer_norm2.forward(h));           // (B, T, D)
        return h.MoveToOuterDisposeScope();
    }
}
