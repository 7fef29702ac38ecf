using System.Text.Json.Serialization;
using MediaStudio.Neural.Attention;
using MediaStudio.Neural.Checkpoints;

namespace MediaStudio.Language.Llama;

/// <summary>Configuration of a Llama-family decoder, with the Hugging Face <c>LlamaConfig</c> key names.</summary>
/// <remarks>Defaults are the captioner's student: D = 128, 4 layers, 4 query heads over 2 KV heads, SwiGLU width 352, tied embeddings.</remarks>
public sealed record LlamaConfig : IModelConfig
{
    [JsonPropertyName("model_type")]
    public string ModelType { get; init; } = "llama";

    [JsonPropertyName("vocab_size")]
    public int VocabSize { get; init; } = 512;

    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; } = 128;

    [JsonPropertyName("intermediate_size")]
    public int IntermediateSize { get; init; } = 352;

    [JsonPropertyName("num_hidden_layers")]
    public int NumHiddenLayers { get; init; } = 4;

    [JsonPropertyName("num_attention_heads")]
    public int NumAttentionHeads { get; init; } = 4;

    [JsonPropertyName("num_key_value_heads")]
    public int NumKeyValueHeads { get; init; } = 2;

    [JsonPropertyName("rms_norm_eps")]
    public double RmsNormEps { get; init; } = 1e-5;

    [JsonPropertyName("rope_theta")]
    public double RopeTheta { get; init; } = 10000.0;

    [JsonPropertyName("max_position_embeddings")]
    public int MaxPositionEmbeddings { get; init; } = 256;

    [JsonPropertyName("tie_word_embeddings")]
    public bool TieWordEmbeddings { get; init; } = true;

    [JsonPropertyName("initializer_range")]
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>Gets the per-head width.</summary>
    [JsonIgnore]
    public int HeadDim => HiddenSize / Math.Max(1, NumAttentionHeads);

    /// <summary>Gets the self-attention config every layer uses.</summary>
    [JsonIgnore]
    public AttentionConfig Attention => new()
    {
        Kind = AttentionKind.GroupedQuery,
        HiddenSize = HiddenSize,
        NumHeads = NumAttentionHeads,
        NumKeyValueHeads = NumKeyValueHeads,
        RopeTheta = RopeTheta,
    };

    public void Validate()
    {
        if (ModelType != "llama")
        {
            throw new ArgumentException($"model_type must be 'llama', got '{ModelType}'", nameof(ModelType));
        }

        if (VocabSize < 2)
        {
            throw new ArgumentException($"vocab_size must be at least 2, got {VocabSize}", nameof(VocabSize));
        }

        if (IntermediateSize <= 0)
        {
            throw new ArgumentException($"intermediate_size must be positive, got {IntermediateSize}", nameof(IntermediateSize));
        }

        if (NumHiddenLayers <= 0)
        {
            throw new ArgumentException($"num_hidden_layers must be positive, got {NumHiddenLayers}", nameof(NumHiddenLayers));
        }

        if (RmsNormEps <= 0)
        {
            throw new ArgumentException($"rms_norm_eps must be positive, got {RmsNormEps}", nameof(RmsNormEps));
        }

        if (MaxPositionEmbeddings <= 0)
        {
            throw new ArgumentException($"max_position_embeddings must be positive, got {MaxPositionEmbeddings}", nameof(MaxPositionEmbeddings));
        }

        Attention.Validate();
    }
}
