using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Clip;

/// <summary>The CLIP dual encoder (Radford et al. 2021): text transformer, PAT image tower, projections to a shared space, learnable temperature.</summary>
/// <remarks>
/// Notation: I = normalize(W_v · vision(x)), T = normalize(W_t · text(ids).Pooled), s = min(exp(logit_scale), 100);
/// logits_per_image = s · I Tᵀ (the paper's Figure 3 pseudocode). logit_scale starts at ln(1 / 0.07).
/// With <see cref="ClipConfig.AttributeLogits"/> &gt; 0 two linear heads read the scene's attributes (the recognizer's
/// <see cref="Synthetic.Recognition.AttributeHeads"/>) from the pooled text state and from the image embedding; they
/// serve only the auxiliary training loss (<see cref="ClipLoss"/>), which makes sure the token states carry every
/// object's colour, shape, size, position and the background that the UNet must read.
/// </remarks>
public sealed class ClipModel : nn.Module<Tensor, Tensor, ClipOutput>
{
    /// <summary>The clamp on exp(logit_scale).</summary>
    public const double MaxLogitScale = 100.0;

    private readonly ClipTextEncoder text_model;
    private readonly ClipVisionEncoder vision_model;
    private readonly Linear text_projection;
    private readonly Linear visual_projection;
    private readonly Parameter logit_scale;
    private readonly Linear? text_attribute_head;
    private readonly Linear? image_attribute_head;

    /// <summary>Creates the model with TorchSharp's default initialisation (use <see cref="FromConfig"/> to train).</summary>
    /// <param name="config">Model config.</param>
    public ClipModel(ClipConfig config) : base(nameof(ClipModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        text_model = new ClipTextEncoder(config.Text);
        vision_model = new ClipVisionEncoder(config.Vision);
        text_projection = nn.Linear(config.Text.HiddenSize, config.ProjectionDim, hasBias: false);
        visual_projection = nn.Linear(config.Vision.PooledDim, config.ProjectionDim, hasBias: false);
        logit_scale = nn.Parameter(tensor((float)config.LogitScaleInit));
        if (config.AttributeLogits > 0)
        {
            text_attribute_head = nn.Linear(config.Text.HiddenSize, config.AttributeLogits);
            image_attribute_head = nn.Linear(config.ProjectionDim, config.AttributeLogits);
        }

        RegisterComponents();
    }

    /// <summary>Gets the config the model was built from.</summary>
    public ClipConfig Config { get; }

    /// <summary>Gets the tokenizer that goes with the weights (set by <see cref="FromPretrained"/>), or null.</summary>
    public ClipTokenizer? Tokenizer { get; init; }

    /// <summary>Gets the text tower.</summary>
    public ClipTextEncoder TextModel => text_model;

    /// <summary>Gets the image tower.</summary>
    public ClipVisionEncoder VisionModel => vision_model;

    /// <summary>Gets the current temperature exp(logit_scale), clamped at 100.</summary>
    public double LogitScale
    {
        get
        {
            using var guard = no_grad();
            return Math.Min(Math.Exp(logit_scale.item<float>()), MaxLogitScale);
        }
    }

    /// <summary>Creates a model for training: truncated-normal weights (std 0.02), embeddings N(0, 0.02²) / N(0, 0.01²).</summary>
    /// <param name="config">Model config.</param>
    /// <param name="tokenizer">Tokenizer to attach, or null.</param>
    /// <param name="generator">Optional generator for a seeded initialisation.</param>
    /// <returns>The initialised model.</returns>
    public static ClipModel FromConfig(ClipConfig config, ClipTokenizer? tokenizer = null, Generator? generator = null)
    {
        var model = new ClipModel(config) { Tokenizer = tokenizer };
        Init.TruncNormal(model, generator: generator);
        using var guard = no_grad();
        Init.TruncatedNormal(model.text_model.TokenEmbedding.weight!, 0, 0.02, -0.04, 0.04, generator);
        Init.TruncatedNormal(model.text_model.PositionEmbedding.weight!, 0, 0.01, -0.02, 0.02, generator);
        return model;
    }

    /// <summary>Loads model and tokenizer from a folder (config.json, model.safetensors, vocab.json, SHA256SUMS), strictly.</summary>
    /// <param name="folder">Folder written by <see cref="Save"/>.</param>
    /// <param name="device">Target device; CPU when null.</param>
    /// <returns>The model in eval mode, with its <see cref="Tokenizer"/>.</returns>
    /// <exception cref="CheckpointException">A file is missing or altered, or the tokenizer does not fit the config.</exception>
    public static ClipModel FromPretrained(string folder, Device? device = null)
    {
        var tokenizer = ClipTokenizer.Load(folder);
        var config = ModelFolder.ReadConfig<ClipConfig>(folder);
        CheckTokenizer(config, tokenizer, folder);
        return ModelFolder.FromPretrained<ClipModel, ClipConfig>(folder, c => new ClipModel(c) { Tokenizer = tokenizer }, device);
    }

    /// <summary>Throws when a tokenizer's vocabulary or context does not match the text tower.</summary>
    /// <param name="config">Model config.</param>
    /// <param name="tokenizer">Tokenizer.</param>
    /// <param name="folder">Folder named in the message.</param>
    public static void CheckTokenizer(ClipConfig config, ClipTokenizer tokenizer, string folder)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.VocabSize != config.Text.VocabSize || tokenizer.ContextLength != config.Text.MaxPositionEmbeddings)
        {
            throw new CheckpointException(
                $"{ClipTokenizer.VocabFileName} in {folder} has {tokenizer.VocabSize} tokens and context {tokenizer.ContextLength}; " +
                $"the config expects {config.Text.VocabSize} and {config.Text.MaxPositionEmbeddings}");
        }
    }

    /// <summary>Writes the model folder: config, weights, vocab.json, card and a manifest of all three data files.</summary>
    /// <param name="folder">Target folder.</param>
    /// <param name="card">Markdown card, or null for a generated one.</param>
    public void Save(string folder, string? card = null)
    {
        var tokenizer = Tokenizer ?? throw new InvalidOperationException("a CLIP model folder needs its tokenizer; set Tokenizer first");
        CheckTokenizer(Config, tokenizer, folder);
        ModelFolder.Save(folder, this, Config, card);
        tokenizer.Save(folder);
        Sha256Manifest.Write(folder, [ModelFolder.ConfigFileName, ModelFolder.WeightsFileName, ClipTokenizer.VocabFileName]);
    }

    /// <summary>Projects token ids to the shared space (unnormalised).</summary>
    // ids (B, T) -> (B, P)
    public Tensor GetTextFeatures(Tensor ids)
    {
        using var scope = NewDisposeScope();
        using var text = text_model.forward(ids);
        return text_projection.forward(text.Pooled).MoveToOuterDisposeScope();
    }

    /// <summary>Projects images to the shared space (unnormalised).</summary>
    // (B, 3, S, S) -> (B, P)
    public Tensor GetImageFeatures(Tensor images)
    {
        using var scope = NewDisposeScope();
        return visual_projection.forward(vision_model.forward(images)).MoveToOuterDisposeScope();
    }

    /// <summary>Encodes prompts to token states for UNet conditioning, without gradients unless asked.</summary>
    /// <param name="prompts">Prompts (any length; truncated to the context).</param>
    /// <param name="withGradient">Keep the text tower's graph (training it with the UNet); false for inference.</param>
    /// <returns>LastHiddenState (B, T, D) on the model's device; the caller owns it.</returns>
    public Tensor EncodePromptTokens(IReadOnlyList<string> prompts, bool withGradient = false)
    {
        var tokenizer = Tokenizer ?? throw new InvalidOperationException("EncodePromptTokens needs the tokenizer; load the model with FromPretrained");
        using var scope = NewDisposeScope();
        using var guard = withGradient ? null : no_grad();
        var ids = tokenizer.EncodeBatch(prompts).to(logit_scale.device); // (B, T)
        var text = text_model.forward(ids);
        return text.LastHiddenState.MoveToOuterDisposeScope();            // (B, T, D)
    }

    // images (B_i, 3, S, S), ids (B_t, T) -> embeddings, logits (B_i, B_t), auxiliary logits
    public override ClipOutput forward(Tensor images, Tensor ids)
    {
        using var scope = NewDisposeScope();
        using var text = text_model.forward(ids);                                      // pooled (B_t, D)
        var imageFeatures = visual_projection.forward(vision_model.forward(images));  // (B_i, P)
        var textFeatures = text_projection.forward(text.Pooled);                      // (B_t, P)
        var imageEmbeds = nn.functional.normalize(imageFeatures, dim: 1);             // (B_i, P)
        var textEmbeds = nn.functional.normalize(textFeatures, dim: 1);               // (B_t, P)
        var scale = logit_scale.exp().clamp_max(MaxLogitScale);                        // ()
        var logits = scale * imageEmbeds.matmul(textEmbeds.t());                       // (B_i, B_t)
        var imageAttributes = image_attribute_head?.forward(imageFeatures);            // (B_i, A)
        var textAttributes = text_attribute_head?.forward(text.Pooled);                // (B_t, A)
        return new ClipOutput(
            imageEmbeds.MoveToOuterDisposeScope(), textEmbeds.MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope(),
            imageAttributes?.MoveToOuterDisposeScope(), textAttributes?.MoveToOuterDisposeScope());
    }
}
