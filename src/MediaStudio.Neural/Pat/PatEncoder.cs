using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Pat;

/// <summary>PATNet image encoder: patch embedding, four (or any number of) PAT stages, global pooling and a 1x1 pre-head.</summary>
/// <remarks>
/// The backbone for classifiers and attribute recognisers: <see cref="Encode"/> returns the pooled feature
/// (B, <see cref="PatNetConfig.PooledDim"/>) and optionally every stage's feature map. Create it with
/// <see cref="FromConfig"/> to get the paper's truncated-normal initialisation.
/// </remarks>
public sealed class PatEncoder : nn.Module<Tensor, PatEncoderOutput>
{
    private readonly Sequential patch_embed;
    private readonly ModuleList<PatStage> stages;
    private readonly Sequential? pre_head;

    /// <summary>Creates the encoder with TorchSharp's default initialisation.</summary>
    /// <param name="config">Validated network config.</param>
    public PatEncoder(PatNetConfig config) : base(nameof(PatEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        patch_embed = nn.Sequential(
            nn.Conv2d(config.InChannels, config.EmbedDim, config.PatchSize, stride: config.PatchStride, bias: false),
            nn.BatchNorm2d(config.EmbedDim));
        stages = new ModuleList<PatStage>();
        var total = config.Depths.Sum();
        var blockIndex = 0;
        for (var s = 0; s < config.StageCount; s++)
        {
            // stochastic depth grows linearly from 0 to drop_path_rate over all blocks
            var rates = Enumerable.Range(blockIndex, config.Depths[s])
                .Select(i => total > 1 ? config.DropPathRate * i / (total - 1) : 0)
                .ToArray();
            blockIndex += config.Depths[s];
            stages.Add(new PatStage(config, s, rates));
        }

        if (config.FeatureDim > 0)
        {
            pre_head = nn.Sequential(
                nn.Conv2d(config.StageWidth(config.StageCount - 1), config.FeatureDim, 1, bias: false),
                PatActivation.Create(config.Activation));
        }

        RegisterComponents();
    }

    /// <summary>Gets the config the encoder was built from.</summary>
    public PatNetConfig Config { get; }

    /// <summary>Loads a PatEncoder from a model folder (config.json, model.safetensors, SHA256SUMS), strictly.</summary>
    /// <param name="folder">Model folder written by <see cref="ModelFolder.Save"/>.</param>
    /// <param name="device">Target device; CPU when null.</param>
    /// <param name="dtype">Target floating dtype; float32 when null.</param>
    /// <returns>The loaded model in eval mode.</returns>
    public static PatEncoder FromPretrained(string folder, Device? device = null, ScalarType? dtype = null) =>
        ModelFolder.FromPretrained<PatEncoder, PatNetConfig>(folder, config => new PatEncoder(config), device, dtype);

    /// <summary>Creates an encoder with the paper's initialisation (truncated normal, std 0.02, zero biases).</summary>
    /// <param name="config">Network config.</param>
    /// <param name="generator">Optional generator for a seeded initialisation.</param>
    /// <returns>The initialised encoder.</returns>
    public static PatEncoder FromConfig(PatNetConfig config, Generator? generator = null)
    {
        var encoder = new PatEncoder(config);
        Init.TruncNormal(encoder, generator: generator);
        return encoder;
    }

    /// <summary>Encodes images into pooled features without keeping the stage maps.</summary>
    // (B, 3, H, W) -> Pooled (B, F)
    public override PatEncoderOutput forward(Tensor x) => Encode(x, includeFeatureMaps: false);

    /// <summary>Encodes images into pooled features and, optionally, each stage's feature map.</summary>
    /// <param name="x">Images (B, in_channels, H, W).</param>
    /// <param name="includeFeatureMaps">Also return the output of every stage.</param>
    /// <returns>The pooled feature and the requested maps; the caller owns them.</returns>
    // (B, 3, H, W) -> Pooled (B, F), maps (B, E * 2^i, H_i, W_i)
    public PatEncoderOutput Encode(Tensor x, bool includeFeatureMaps)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        var maps = new List<Tensor>();
        var h = patch_embed.forward(x);                           // (B, E, H/s, W/s)
        foreach (var stage in stages)
        {
            h = stage.forward(h);                                 // (B, C_i, H_i, W_i)
            if (includeFeatureMaps)
            {
                maps.Add(h.MoveToOuterDisposeScope());
            }
        }

        var pooled = h.mean([2, 3], keepdim: true);               // (B, C_last, 1, 1)
        if (pre_head is not null)
        {
            pooled = pre_head.forward(pooled);                    // (B, F, 1, 1)
        }

        return new PatEncoderOutput(pooled.flatten(1).MoveToOuterDisposeScope(), maps); // (B, F)
    }
}
