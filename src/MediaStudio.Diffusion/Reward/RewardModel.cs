using MediaStudio.Diffusion.Clip;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Reward;

/// <summary>A reward model r(image, prompt) on the CLIP towers, trained on preference pairs with the Bradley-Terry loss.</summary>
/// <remarks>
/// Notation: i = normalize(CLIP image embedding), t = normalize(CLIP text embedding), both (B, P).
/// r = MLP([i; t; i ⊙ t]) + w · ⟨i, t⟩ with a learnable w (initialised to <see cref="RewardConfig.CosineWeightInit"/>), so
/// an untrained head already ranks by CLIP similarity (as ImageReward / HPS build on CLIP). Preference probability
/// P(chosen ≻ rejected) = σ(r_c − r_r) (Bradley and Terry 1952); see <see cref="BradleyTerryLoss"/>. The score is
/// differentiable in the image, so ReNeg can backpropagate −r through a decoded image.
/// </remarks>
public sealed class RewardModel : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ClipModel clip;
    private readonly Sequential head;
    private readonly Parameter cosine_weight;

    /// <summary>Creates the model with TorchSharp's default initialisation (weights are then loaded or copied).</summary>
    /// <param name="config">Validated config.</param>
    public RewardModel(RewardConfig config) : base(nameof(RewardModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        clip = new ClipModel(config.Clip);
        var p = config.Clip.ProjectionDim;
        head = nn.Sequential(nn.Linear(3 * p, config.HiddenSize), nn.GELU(), nn.Linear(config.HiddenSize, 1));
        cosine_weight = nn.Parameter(tensor((float)config.CosineWeightInit));
        RegisterComponents();
    }

    /// <summary>Gets the config the model was built from.</summary>
    public RewardConfig Config { get; }

    /// <summary>Gets the tokenizer that goes with the text tower, or null.</summary>
    public ClipTokenizer? Tokenizer { get; init; }

    /// <summary>Gets the CLIP towers.</summary>
    public ClipModel Clip => clip;

    /// <summary>Builds a reward model on a trained CLIP: copies both towers and projections, initialises the head, freezes per the config.</summary>
    /// <param name="source">Trained CLIP with its tokenizer.</param>
    /// <param name="config">Reward config; its clip section must match the source's towers.</param>
    /// <param name="generator">Optional generator for the head's initialisation.</param>
    /// <returns>The model, trainable parameters set by <see cref="FreezePerConfig"/>.</returns>
    public static RewardModel FromClip(ClipModel source, RewardConfig config, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var model = new RewardModel(config) { Tokenizer = source.Tokenizer };
        Init.TruncNormal(model.head, generator: generator);
        var wanted = model.clip.state_dict();
        var tensors = source.state_dict()
            .Where(kv => wanted.ContainsKey(kv.Key))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        StateDict.LoadStrict(model.clip, tensors, "the source CLIP");
        model.FreezePerConfig();
        return model;
    }

    /// <summary>Loads a reward folder (config.json, model.safetensors, vocab.json, SHA256SUMS) strictly; it needs no other folder.</summary>
    /// <param name="folder">Folder written by <see cref="Save"/>.</param>
    /// <param name="device">Target device; CPU when null.</param>
    /// <returns>The model in eval mode.</returns>
    public static RewardModel FromPretrained(string folder, Device? device = null)
    {
        var tokenizer = ClipTokenizer.Load(folder);
        var config = ModelFolder.ReadConfig<RewardConfig>(folder);
        ClipModel.CheckTokenizer(config.Clip, tokenizer, folder);
        return ModelFolder.FromPretrained<RewardModel, RewardConfig>(folder, c => new RewardModel(c) { Tokenizer = tokenizer }, device);
    }

    /// <summary>The Bradley-Terry loss: mean −log σ(r_c − r_r).</summary>
    // (B), (B) -> ()
    public static Tensor BradleyTerryLoss(Tensor chosen, Tensor rejected)
    {
        ArgumentNullException.ThrowIfNull(chosen);
        ArgumentNullException.ThrowIfNull(rejected);
        using var scope = NewDisposeScope();
        return (-nn.functional.logsigmoid(chosen - rejected).mean()).MoveToOuterDisposeScope();
    }

    /// <summary>Freezes the text tower and the image tower except its last <see cref="RewardConfig.TrainableVisionStages"/> stages, readout and projection.</summary>
    public void FreezePerConfig()
    {
        var stages = Config.Clip.Vision.Backbone.StageCount;
        var firstTrainable = stages - Config.TrainableVisionStages;
        foreach (var (name, parameter) in clip.named_parameters())
        {
            var trainable = name.StartsWith("visual_projection.", StringComparison.Ordinal)
                || name.StartsWith("vision_model.post_layernorm.", StringComparison.Ordinal)
                || Enumerable.Range(firstTrainable, Config.TrainableVisionStages)
                    .Any(s => name.StartsWith($"vision_model.encoder.stages.{s}.", StringComparison.Ordinal));
            parameter.requires_grad = trainable && Config.TrainableVisionStages > 0;
        }
    }

    /// <summary>Writes the reward folder: config, all weights (towers included), vocab.json, card and manifest.</summary>
    /// <param name="folder">Target folder.</param>
    /// <param name="card">Markdown card.</param>
    public void Save(string folder, string? card = null)
    {
        var tokenizer = Tokenizer ?? throw new InvalidOperationException("a reward folder needs the CLIP tokenizer; set Tokenizer first");
        ModelFolder.Save(folder, this, Config, card);
        tokenizer.Save(folder);
        Sha256Manifest.Write(folder, [ModelFolder.ConfigFileName, ModelFolder.WeightsFileName, ClipTokenizer.VocabFileName]);
    }

    /// <summary>Scores images against token ids.</summary>
    /// <param name="images">(B, 3, S, S) in [-1, 1], differentiable.</param>
    /// <param name="tokenIds">(B, T) ids from the tokenizer.</param>
    /// <returns>r (B).</returns>
    public Tensor Score(Tensor images, Tensor tokenIds) => forward(images, tokenIds);

    /// <summary>Scores images against prompts.</summary>
    /// <param name="images">(B, 3, S, S) in [-1, 1].</param>
    /// <param name="prompts">One prompt per image.</param>
    /// <returns>r (B).</returns>
    public Tensor Score(Tensor images, IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(images);
        var tokenizer = Tokenizer ?? throw new InvalidOperationException("scoring prompts needs the tokenizer; load the model with FromPretrained");
        using var ids = tokenizer.EncodeBatch(prompts);
        using var onDevice = ids.to(images.device);
        return forward(images, onDevice);
    }

    // images (B, 3, S, S), ids (B, T) -> r (B)
    public override Tensor forward(Tensor images, Tensor ids)
    {
        using var scope = NewDisposeScope();
        var i = nn.functional.normalize(clip.GetImageFeatures(images), dim: 1); // (B, P)
        var t = nn.functional.normalize(clip.GetTextFeatures(ids), dim: 1);     // (B, P)
        var features = cat([i, t, i * t], dim: 1);                              // (B, 3P)
        var r = head.forward(features).squeeze(1) + (cosine_weight * (i * t).sum(1)); // (B)
        return r.MoveToOuterDisposeScope();
    }
}
