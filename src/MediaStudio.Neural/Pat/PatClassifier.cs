using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Pat;

/// <summary>PATNet image classifier: a <see cref="PatEncoder"/> followed by a linear head.</summary>
public sealed class PatClassifier : nn.Module<Tensor, Tensor>
{
    private readonly PatEncoder encoder;
    private readonly Linear head;

    /// <summary>Creates the classifier with TorchSharp's default initialisation.</summary>
    /// <param name="config">Validated network config; <see cref="PatNetConfig.NumClasses"/> sets the head.</param>
    public PatClassifier(PatNetConfig config) : base(nameof(PatClassifier))
    {
        ArgumentNullException.ThrowIfNull(config);
        encoder = new PatEncoder(config);
        head = nn.Linear(config.PooledDim, config.NumClasses);
        RegisterComponents();
    }

    /// <summary>Gets the encoder, for feature extraction or a different head.</summary>
    public PatEncoder Encoder => encoder;

    /// <summary>Loads a PatClassifier from a model folder (config.json, model.safetensors, SHA256SUMS), strictly.</summary>
    /// <param name="folder">Model folder written by <see cref="ModelFolder.Save"/>.</param>
    /// <param name="device">Target device; CPU when null.</param>
    /// <param name="dtype">Target floating dtype; float32 when null.</param>
    /// <returns>The loaded model in eval mode.</returns>
    public static PatClassifier FromPretrained(string folder, Device? device = null, ScalarType? dtype = null) =>
        ModelFolder.FromPretrained<PatClassifier, PatNetConfig>(folder, config => new PatClassifier(config), device, dtype);

    /// <summary>Creates a classifier with the paper's initialisation (truncated normal, std 0.02, zero biases).</summary>
    /// <param name="config">Network config.</param>
    /// <param name="generator">Optional generator for a seeded initialisation.</param>
    /// <returns>The initialised classifier.</returns>
    public static PatClassifier FromConfig(PatNetConfig config, Generator? generator = null)
    {
        var classifier = new PatClassifier(config);
        Init.TruncNormal(classifier, generator: generator);
        return classifier;
    }

    // (B, 3, H, W) -> (B, classes)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var features = encoder.forward(x);        // (B, F)
        return head.forward(features.Pooled).MoveToOuterDisposeScope();
    }
}
