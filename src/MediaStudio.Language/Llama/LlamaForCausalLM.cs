using MediaStudio.Neural.Caching;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Language.Llama;

/// <summary>A Llama-family causal language model in the Hugging Face layout: <c>model.*</c> (the trunk) and <c>lm_head.weight</c>.</summary>
/// <remarks>
/// Notation: B batch, T tokens, D hidden size, V vocabulary. logits = h·W_outᵀ with W_out = lm_head.weight, or the
/// token embedding when <see cref="LlamaConfig.TieWordEmbeddings"/> is set (then, as in Hugging Face checkpoints,
/// there is no lm_head key). A safetensors file with these keys and matching shapes loads strictly with
/// <see cref="LoadStrict"/>; any mismatch names the key.
/// </remarks>
public sealed class LlamaForCausalLM : nn.Module<Tensor, FullKvCache?, Tensor>
{
    private readonly LlamaModel model;
    private readonly Linear? lm_head;

    public LlamaForCausalLM(LlamaConfig config) : base(nameof(LlamaForCausalLM))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        model = new LlamaModel(config);
        lm_head = config.TieWordEmbeddings ? null : nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents();
    }

    public LlamaConfig Config { get; }

    /// <summary>Gets the trunk.</summary>
    public LlamaModel Model => model;

    /// <summary>Creates a model with the Llama initialisation: N(0, initializer_range²) truncated at 2σ for every matrix, RMSNorm weights 1.</summary>
    public static LlamaForCausalLM FromConfig(LlamaConfig config, Generator? generator = null)
    {
        var lm = new LlamaForCausalLM(config);
        Init.TruncNormal(lm, config.InitializerRange, generator);
        using (no_grad())
        {
            var e = lm.model.EmbeddingWeight;
            Init.TruncatedNormal(e, 0, config.InitializerRange, -2 * config.InitializerRange, 2 * config.InitializerRange, generator);
        }

        return lm;
    }

    /// <summary>Looks up token embeddings.</summary>
    // (B, T) int64 -> (B, T, D)
    public Tensor Embed(Tensor ids) => model.Embed(ids);

    // inputs_embeds (B, T, D) -> logits (B, T, V)
    public override Tensor forward(Tensor inputsEmbeds, FullKvCache? cache)
    {
        using var scope = NewDisposeScope();
        var h = model.forward(inputsEmbeds, cache);                                    // (B, T, D)
        var logits = lm_head is null ? nn.functional.linear(h, model.EmbeddingWeight) : lm_head.forward(h); // (B, T, V)
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>Loads Hugging Face Llama weights (e.g. a model.safetensors) strictly: every key, shape and dtype must match.</summary>
    /// <exception cref="CheckpointException">A key is missing, unexpected or mis-shaped; <see cref="CheckpointException.Key"/> names it.</exception>
    public void LoadStrict(string safetensorsPath)
    {
        using var scope = NewDisposeScope();
        StateDict.LoadStrict(this, SafeTensors.Load(safetensorsPath), Path.GetFileName(safetensorsPath));
    }

    /// <summary>Allocates a KV cache sized for this model.</summary>
    public FullKvCache NewCache(long batch, long capacity, Device? device = null) => model.NewCache(batch, capacity, device);
}
