using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Attention;

/// <summary>Configuration of one attention layer; mirrors the Hugging Face <c>config.json</c> names.</summary>
/// <remarks>Defaults: RoPE on with θ = 10000, no projection bias, float32.</remarks>
public sealed record AttentionConfig
{
    [JsonPropertyName("attention_type")]
    public AttentionKind Kind { get; init; } = AttentionKind.GroupedQuery;

    [JsonPropertyName("hidden_size")]
    public required int HiddenSize { get; init; }

    [JsonPropertyName("num_attention_heads")]
    public required int NumHeads { get; init; }

    /// <summary>KV heads; equal to <see cref="NumHeads"/> for MHA. Defaults to <see cref="NumHeads"/> when 0.</summary>
    [JsonPropertyName("num_key_value_heads")]
    public int NumKeyValueHeads { get; init; }

    /// <summary>Per-head width; <see cref="HiddenSize"/> / <see cref="NumHeads"/> when 0.</summary>
    [JsonPropertyName("head_dim")]
    public int HeadDim { get; init; }

    [JsonPropertyName("rope_theta")]
    public double RopeTheta { get; init; } = 10000.0;

    [JsonPropertyName("use_rope")]
    public bool UseRope { get; init; } = true;

    [JsonPropertyName("attention_bias")]
    public bool AttentionBias { get; init; }

    /// <summary>MLA settings; required when <see cref="Kind"/> is <see cref="AttentionKind.MultiHeadLatent"/>.</summary>
    [JsonPropertyName("latent")]
    public LatentAttentionConfig? Latent { get; init; }

    /// <summary>MSWA settings; required when <see cref="Kind"/> is <see cref="AttentionKind.MultiScaleWindow"/>.</summary>
    [JsonPropertyName("window")]
    public WindowAttentionConfig? Window { get; init; }

    [JsonIgnore]
    public ScalarType DType { get; init; } = ScalarType.Float32;

    [JsonIgnore]
    public int KeyValueHeads => NumKeyValueHeads == 0 ? NumHeads : NumKeyValueHeads;

    [JsonIgnore]
    public int HeadSize => HeadDim == 0 ? HiddenSize / Math.Max(1, NumHeads) : HeadDim;

    /// <summary>Checks the head arithmetic and the variant's own settings.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public AttentionConfig Validate()
    {
        if (HiddenSize <= 0)
        {
            throw new ArgumentException($"hidden_size must be positive, got {HiddenSize}");
        }

        if (NumHeads <= 0)
        {
            throw new ArgumentException($"num_attention_heads must be positive, got {NumHeads}");
        }

        if (KeyValueHeads <= 0 || KeyValueHeads > NumHeads || NumHeads % KeyValueHeads != 0)
        {
            throw new ArgumentException($"num_key_value_heads must divide num_attention_heads ({NumHeads}) and be at most it, got {KeyValueHeads}");
        }

        if (HeadDim == 0 && HiddenSize % NumHeads != 0)
        {
            throw new ArgumentException($"hidden_size ({HiddenSize}) must be divisible by num_attention_heads ({NumHeads}) when head_dim is not given");
        }

        if (HeadSize <= 0 || (UseRope && HeadSize % 2 != 0))
        {
            throw new ArgumentException($"head_dim must be positive, and even when use_rope is set, got {HeadSize}");
        }

        switch (Kind)
        {
            case AttentionKind.MultiHeadLatent:
                (Latent ?? throw new ArgumentException("attention_type MultiHeadLatent needs a 'latent' section")).Validate(HiddenSize);
                break;
            case AttentionKind.MultiScaleWindow:
                (Window ?? throw new ArgumentException("attention_type MultiScaleWindow needs a 'window' section")).Validate(NumHeads);
                if (Window.Form == WindowForm.Local2D && UseRope)
                {
                    throw new ArgumentException("use_rope must be false for window form Local2D: 2-D rotary positions are not implemented");
                }

                break;
        }

        return this;
    }
}

/// <summary>MLA dimensions, named as in DeepSeek-V2 and X-EcoMLA configs.</summary>
/// <remarks>Cache per token: <c>kv_lora_rank + qk_rope_head_dim</c> numbers. <c>q_lora_rank</c> 0 means a full-rank query.</remarks>
public sealed record LatentAttentionConfig
{
    [JsonPropertyName("q_lora_rank")]
    public int QueryRank { get; init; }

    [JsonPropertyName("kv_lora_rank")]
    public required int KeyValueRank { get; init; }

    [JsonPropertyName("qk_nope_head_dim")]
    public required int NopeHeadDim { get; init; }

    /// <summary>Width d_r of the decoupled RoPE key shared by all heads; 0 turns the rotary part off.</summary>
    [JsonPropertyName("qk_rope_head_dim")]
    public int RopeHeadDim { get; init; }

    [JsonPropertyName("v_head_dim")]
    public required int ValueHeadDim { get; init; }

    /// <summary>Frequency ladder width of the rotary slice (see <see cref="Layers.RotaryEmbedding"/>); 0 means d_r.</summary>
    [JsonPropertyName("rope_frequency_dim")]
    public int RopeFrequencyDim { get; init; }

    [JsonPropertyName("path")]
    public LatentPath Path { get; init; } = LatentPath.Auto;

    internal void Validate(int hiddenSize)
    {
        if (QueryRank < 0 || QueryRank > hiddenSize)
        {
            throw new ArgumentException($"q_lora_rank must be in [0, hidden_size={hiddenSize}], got {QueryRank}");
        }

        if (KeyValueRank <= 0)
        {
            throw new ArgumentException($"kv_lora_rank must be positive, got {KeyValueRank}");
        }

        if (NopeHeadDim <= 0 || ValueHeadDim <= 0)
        {
            throw new ArgumentException($"qk_nope_head_dim and v_head_dim must be positive, got {NopeHeadDim} and {ValueHeadDim}");
        }

        if (RopeHeadDim < 0 || RopeHeadDim % 2 != 0)
        {
            throw new ArgumentException($"qk_rope_head_dim must be 0 or a positive even number, got {RopeHeadDim}");
        }

        if (RopeFrequencyDim != 0 && RopeFrequencyDim < RopeHeadDim)
        {
            throw new ArgumentException($"rope_frequency_dim must be 0 or at least qk_rope_head_dim ({RopeHeadDim}), got {RopeFrequencyDim}");
        }
    }
}

/// <summary>MSWA settings: one window per query head, in tokens (or grid cells per axis for <see cref="WindowForm.Local2D"/>).</summary>
/// <remarks>Heads with equal windows should be contiguous (the paper's head groups); use
/// <see cref="WindowSchedule.ForLayer"/> for the w/4, w/2, w, 2w scheme. <c>block_size</c> 0 picks a block from each window.</remarks>
public sealed record WindowAttentionConfig
{
    [JsonPropertyName("form")]
    public WindowForm Form { get; init; } = WindowForm.Causal1D;

    [JsonPropertyName("window_sizes")]
    public required IReadOnlyList<int> Windows { get; init; }

    [JsonPropertyName("block_size")]
    public int BlockSize { get; init; }

    internal void Validate(int numHeads)
    {
        if (Windows.Count != numHeads)
        {
            throw new ArgumentException($"window_sizes needs one window per head ({numHeads}), got {Windows.Count}");
        }

        if (Windows.Any(w => w <= 0))
        {
            throw new ArgumentException($"every window must be positive, got {string.Join(",", Windows)}");
        }

        if (BlockSize < 0)
        {
            throw new ArgumentException($"block_size must be 0 (automatic) or positive, got {BlockSize}");
        }
    }
}
