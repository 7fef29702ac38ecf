using System.Text.Json.Serialization;

namespace MediaStudio.Diffusion.Clip;

/// <summary>Configuration of the CLIP text transformer (HF CLIPTextConfig's fields, scaled down).</summary>
public sealed record ClipTextConfig
{
    /// <summary>Token ids (the tokenizer's vocabulary size, special tokens included).</summary>
    [JsonPropertyName("vocab_size")]
    public int VocabSize { get; init; } = 128;

    /// <summary>T: positions (the tokenizer's context length). Defaults to 48.</summary>
    [JsonPropertyName("max_position_embeddings")]
    public int MaxPositionEmbeddings { get; init; } = 48;

    /// <summary>D: width of the token states (the UNet's context_dim). Defaults to 128.</summary>
    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; } = 128;

    /// <summary>Transformer layers. Defaults to 4.</summary>
    [JsonPropertyName("num_hidden_layers")]
    public int NumHiddenLayers { get; init; } = 4;

    /// <summary>Attention heads. Defaults to 4.</summary>
    [JsonPropertyName("num_attention_heads")]
    public int NumAttentionHeads { get; init; } = 4;

    /// <summary>Hidden width of the MLP. Defaults to 512 (4 D).</summary>
    [JsonPropertyName("intermediate_size")]
    public int IntermediateSize { get; init; } = 512;

    /// <summary>LayerNorm epsilon. Defaults to 1e-5.</summary>
    [JsonPropertyName("layer_norm_eps")]
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        ClipConfig.Require(VocabSize >= 5, $"text.vocab_size must be >= 5 (4 special tokens + words), got {VocabSize}");
        ClipConfig.Require(MaxPositionEmbeddings >= 2, $"text.max_position_embeddings must be >= 2 (bos + eos), got {MaxPositionEmbeddings}");
        ClipConfig.Require(HiddenSize >= 1, $"text.hidden_size must be >= 1, got {HiddenSize}");
        ClipConfig.Require(NumHiddenLayers >= 1, $"text.num_hidden_layers must be >= 1, got {NumHiddenLayers}");
        ClipConfig.Require(NumAttentionHeads >= 1 && HiddenSize % NumAttentionHeads == 0,
            $"text.hidden_size ({HiddenSize}) must be divisible by text.num_attention_heads ({NumAttentionHeads})");
        ClipConfig.Require(IntermediateSize >= 1, $"text.intermediate_size must be >= 1, got {IntermediateSize}");
        ClipConfig.Require(LayerNormEps > 0, $"text.layer_norm_eps must be > 0, got {LayerNormEps}");
    }
}
