using MediaStudio.Neural.Attention;
using MediaStudio.Neural.Layers;
using static TorchSharp.torch;

namespace MediaStudio.Language.Llama;

/// <summary>One pre-norm Llama block: h = x + Attn(RMSNorm(x)); y = h + SwiGLU(RMSNorm(h)).</summary>
/// <remarks>Field names are the Hugging Face keys under <c>model.layers.N.</c>: self_attn.{q,k,v,o}_proj,
/// mlp.{gate,up,down}_proj, input_layernorm, post_attention_layernorm.</remarks>
public sealed class LlamaDecoderLayer : nn.Module<AttentionInput, Tensor>
{
    private readonly GroupedQueryAttention self_attn;
    private readonly SwiGlu mlp;
    private readonly RmsNorm input_layernorm;
    private readonly RmsNorm post_attention_layernorm;

    public LlamaDecoderLayer(LlamaConfig config) : base(nameof(LlamaDecoderLayer))
    {
        ArgumentNullException.ThrowIfNull(config);
        self_attn = new GroupedQueryAttention(config.Attention);
        mlp = new SwiGlu(config.HiddenSize, config.IntermediateSize);
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        RegisterComponents();
    }

    // (B, T, D) -> (B, T, D); the input carries the cache and this layer's index
    public override Tensor forward(AttentionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var x = input.Hidden;
        var attended = self_attn.forward(input with { Hidden = input_layernorm.forward(x) }).Hidden; // (B, T, D)
        var h = x + attended;
        return (h + mlp.forward(post_attention_layernorm.forward(h))).MoveToOuterDisposeScope();
    }
}
