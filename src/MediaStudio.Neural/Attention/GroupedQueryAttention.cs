using MediaStudio.Neural.Caching;
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Attention;

/// <summary>Multi-head attention with grouped KV heads and RoPE (Llama's self-attention); MHA when the head counts match.</summary>
/// <remarks>
/// Notation: B batch, T new tokens, S keys (cached + new), D hidden size, H query heads, G KV heads, d head size.
/// q = x·W_Qᵀ, k = x·W_Kᵀ, v = x·W_Vᵀ; RoPE on q and k at absolute positions; y = softmax(q·kᵀ/√d + mask)·v·W_Oᵀ.
/// Field names are the Hugging Face checkpoint keys. <see cref="Eager"/> selects the explicit-softmax reference path.
/// </remarks>
public sealed class GroupedQueryAttention : nn.Module<AttentionInput, AttentionOutput>
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
    private readonly RotaryEmbedding? rotary_emb;
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;

    /// <summary>Builds the layer from a validated config.</summary>
    /// <param name="config">Head counts, sizes and RoPE settings.</param>
    /// <param name="eager">Use the explicit-softmax reference kernel instead of the fused one.</param>
    public GroupedQueryAttention(AttentionConfig config, bool eager = false) : base(nameof(GroupedQueryAttention))
    {
        config.Validate();
        Config = config;
        Eager = eager;
        _heads = config.NumHeads;
        _kvHeads = config.KeyValueHeads;
        _headDim = config.HeadSize;
        q_proj = nn.Linear(config.HiddenSize, _heads * _headDim, hasBias: config.AttentionBias, dtype: config.DType);
        k_proj = nn.Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.AttentionBias, dtype: config.DType);
        v_proj = nn.Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.AttentionBias, dtype: config.DType);
        o_proj = nn.Linear(_heads * _headDim, config.HiddenSize, hasBias: config.AttentionBias, dtype: config.DType);
        rotary_emb = config.UseRope ? new RotaryEmbedding(_headDim, config.RopeTheta) : null;
        RegisterComponents();
    }

    public AttentionConfig Config { get; }

    public bool Eager { get; }

    // (B, T, D) -> (B, T, D)
    public override AttentionOutput forward(AttentionInput input)
    {
        using var scope = NewDisposeScope();
        var x = input.Hidden;
        var (b, t) = (x.shape[0], x.shape[1]);
        var q = q_proj.forward(x).view(b, t, _heads, _headDim).transpose(1, 2);   // (B, H, T, d)
        var k = k_proj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2); // (B, G, T, d)
        var v = v_proj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2); // (B, G, T, d)
        var offset = input.Cache?.Length ?? 0;
        if (rotary_emb is not null)
        {
            var positions = arange(offset, offset + t, device: x.device);         // (T)
            (q, k) = (rotary_emb.forward(q, positions), rotary_emb.forward(k, positions));
        }

        if (input.Cache is not null)
        {
            var cache = input.Cache as FullKvCache
                ?? throw new ArgumentException($"{nameof(GroupedQueryAttention)} decodes with a {nameof(FullKvCache)}, got {input.Cache.GetType().Name}");
            (k, v) = cache.Update(input.LayerIndex, k, v);                         // (B, G, S, d)
        }

        var y = Eager
            ? ScaledDotProduct.Eager(q, k, v, input.IsCausal, input.KeyPadding, input.Mask)
            : ScaledDotProduct.Fused(q, k, v, input.IsCausal, input.KeyPadding, input.Mask); // (B, H, T, d)
        y = y.transpose(1, 2).reshape(b, t, _heads * _headDim);                    // (B, T, H·d)
        return new AttentionOutput(o_proj.forward(y).MoveToOuterDisposeScope());
    }
}
