using MediaStudio.Neural.Attention;
using MediaStudio.Neural.Caching;
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Language.Llama;

/// <summary>The Llama trunk (Hugging Face <c>LlamaModel</c>): token embedding, decoder layers, final RMSNorm.</summary>
/// <remarks>Keys: embed_tokens.weight, layers.N.*, norm.weight. It runs on embeddings so a caller can splice image
/// tokens in before the text (<see cref="Embed"/> gives the text part).</remarks>
public sealed class LlamaModel : nn.Module<Tensor, FullKvCache?, Tensor>
{
    private readonly Embedding embed_tokens;
    private readonly ModuleList<LlamaDecoderLayer> layers;
    private readonly RmsNorm norm;

    public LlamaModel(LlamaConfig config) : base(nameof(LlamaModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize);
        layers = new ModuleList<LlamaDecoderLayer>();
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            layers.Add(new LlamaDecoderLayer(config));
        }

        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        RegisterComponents();
    }

    public LlamaConfig Config { get; }

    /// <summary>Gets the token embedding matrix (V, D), shared with the output head when embeddings are tied.</summary>
    public Parameter EmbeddingWeight => embed_tokens.weight!;

    /// <summary>Looks up token embeddings.</summary>
    // (B, T) int64 -> (B, T, D)
    public Tensor Embed(Tensor ids) => embed_tokens.forward(ids);

    // inputs_embeds (B, T, D), cache (positions continue from cache.Length) -> (B, T, D) normalised hidden states
    public override Tensor forward(Tensor inputsEmbeds, FullKvCache? cache)
    {
        ArgumentNullException.ThrowIfNull(inputsEmbeds);
        using var scope = NewDisposeScope();
        var h = inputsEmbeds;
        for (var i = 0; i < layers.Count; i++)
        {
            h = layers[i].forward(new AttentionInput(h) { IsCausal = true, Cache = cache, LayerIndex = i }); // (B, T, D)
        }

        return norm.forward(h).MoveToOuterDisposeScope();
    }

    /// <summary>Allocates a KV cache sized for this model.</summary>
    public FullKvCache NewCache(long batch, long capacity, Device? device = null) =>
        new(Config.NumHiddenLayers, batch, Config.NumKeyValueHeads, Config.HeadDim, capacity, EmbeddingWeight.dtype, device ?? EmbeddingWeight.device);
}
