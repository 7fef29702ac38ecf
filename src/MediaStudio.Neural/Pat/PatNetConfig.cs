using System.Text.Json.Serialization;
using MediaStudio.Neural.Checkpoints;

namespace MediaStudio.Neural.Pat;

/// <summary>Configuration of a PATNet encoder and classifier (arXiv 2503.03148; haiduo/PartialNet configs).</summary>
/// <remarks>
/// Stage <c>i</c> has width <c>EmbedDim * 2^i</c> and <c>Depths[i]</c> blocks. Stages before the last use
/// PAT_ch (or the FasterNet PConv when <see cref="ChannelAttention"/> is off); the last stage uses PAT_sf
/// (or PConv when <see cref="SelfAttention"/> is off). Defaults to the CIFAR-size config (E = 32, depths 1-2-8-2, GELU).
/// </remarks>
public sealed record PatNetConfig : IModelConfig
{
    /// <summary>Input image channels. Defaults to 3.</summary>
    [JsonPropertyName("in_channels")]
    public int InChannels { get; init; } = 3;

    /// <summary>Width E of the first stage; later stages double it. Defaults to 32.</summary>
    [JsonPropertyName("embed_dim")]
    public int EmbedDim { get; init; } = 32;

    /// <summary>Blocks per stage. Defaults to 1-2-8-2.</summary>
    [JsonPropertyName("depths")]
    public IReadOnlyList<int> Depths { get; init; } = [1, 2, 8, 2];

    /// <summary>Split divisor: the partial conv sees <c>C / NDiv</c> channels. Defaults to 4.</summary>
    [JsonPropertyName("n_div")]
    public int NDiv { get; init; } = 4;

    /// <summary>Hidden width of the block MLP as a multiple of C. Defaults to 2.</summary>
    [JsonPropertyName("mlp_ratio")]
    public double MlpRatio { get; init; } = 2.0;

    /// <summary>Patch-embedding kernel size. Defaults to 4.</summary>
    [JsonPropertyName("patch_size")]
    public int PatchSize { get; init; } = 4;

    /// <summary>Patch-embedding stride. Defaults to 4.</summary>
    [JsonPropertyName("patch_stride")]
    public int PatchStride { get; init; } = 4;

    /// <summary>Kernel and stride of the patch merging between stages. Defaults to 2.</summary>
    [JsonPropertyName("merge_size")]
    public int MergeSize { get; init; } = 2;

    /// <summary>Activation, "gelu" or "relu". Defaults to "gelu".</summary>
    [JsonPropertyName("act")]
    public string Activation { get; init; } = "gelu";

    /// <summary>Use PAT_ch (Gaussian channel attention) in the stages before the last. Defaults to true.</summary>
    [JsonPropertyName("channel_attention")]
    public bool ChannelAttention { get; init; } = true;

    /// <summary>Use PAT_sp (spatial gate) inside every MLP. Defaults to false, as in the code's configs except T1.</summary>
    [JsonPropertyName("spatial_attention")]
    public bool SpatialAttention { get; init; }

    /// <summary>Use PAT_sf (self-attention with relative-position bias) in the last stage. Defaults to true.</summary>
    [JsonPropertyName("self_attention")]
    public bool SelfAttention { get; init; } = true;

    /// <summary>Heads of the PAT_sf self-attention. Defaults to 4 (the configs' <c>patnet_t0</c> setting).</summary>
    [JsonPropertyName("attention_heads")]
    public int AttentionHeads { get; init; } = 4;

    /// <summary>Dropout on the PAT_sf attention weights and projection. Defaults to 0.1, as in the code.</summary>
    [JsonPropertyName("attention_dropout")]
    public double AttentionDropout { get; init; } = 0.1;

    /// <summary>Width of the pooled feature after the 1x1 pre-head conv; 0 pools the last stage directly. Defaults to 1280.</summary>
    [JsonPropertyName("feature_dim")]
    public int FeatureDim { get; init; } = 1280;

    /// <summary>Classes of the classifier head. Defaults to 10.</summary>
    [JsonPropertyName("num_classes")]
    public int NumClasses { get; init; } = 10;

    /// <summary>Stochastic-depth rate reached by the last block (linear from 0). Defaults to 0.</summary>
    [JsonPropertyName("drop_path_rate")]
    public double DropPathRate { get; init; }

    /// <summary>Gets a tiny config for tests: E = 8, one block per stage, PAT_ch, PAT_sp and PAT_sf all on.</summary>
    public static PatNetConfig Tiny => new()
    {
        EmbedDim = 8,
        Depths = [1, 1, 1, 1],
        PatchSize = 2,
        PatchStride = 2,
        SpatialAttention = true,
        FeatureDim = 32,
        NumClasses = 5,
    };

    /// <summary>Gets the T1-size config (E = 48, 1-2-8-2, GELU, PAT_sp on, drop path 0.02).</summary>
    public static PatNetConfig T1 => new()
    {
        EmbedDim = 48,
        SpatialAttention = true,
        DropPathRate = 0.02,
        NumClasses = 1000,
    };

    /// <summary>Gets the T2-size config (E = 64, 2-2-6-4, ReLU, drop path 0.05).</summary>
    public static PatNetConfig T2 => new()
    {
        EmbedDim = 64,
        Depths = [2, 2, 6, 4],
        Activation = "relu",
        DropPathRate = 0.05,
        NumClasses = 1000,
    };

    /// <summary>Gets the number of stages.</summary>
    [JsonIgnore]
    public int StageCount => Depths.Count;

    /// <summary>Gets the channel width of a stage.</summary>
    /// <param name="stage">Zero-based stage index.</param>
    /// <returns><c>EmbedDim * 2^stage</c>.</returns>
    public int StageWidth(int stage) => EmbedDim << stage;

    /// <summary>Gets the width of the pooled feature the encoder returns.</summary>
    [JsonIgnore]
    public int PooledDim => FeatureDim > 0 ? FeatureDim : StageWidth(StageCount - 1);

    /// <summary>Checks every value and the width arithmetic.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        Require(InChannels >= 1, $"in_channels must be >= 1, got {InChannels}");
        Require(EmbedDim >= 1, $"embed_dim must be >= 1, got {EmbedDim}");
        Require(Depths is { Count: >= 1 and <= 8 }, $"depths must list 1 to 8 stages, got {Depths?.Count ?? 0}");
        Require(Depths!.All(d => d >= 1), $"every depth must be >= 1, got [{string.Join(", ", Depths!)}]");
        Require(NDiv >= 2, $"n_div must be >= 2 (the partial conv needs untouched channels), got {NDiv}");
        Require(EmbedDim % NDiv == 0, $"embed_dim ({EmbedDim}) must be divisible by n_div ({NDiv})");
        Require(MlpRatio > 0, $"mlp_ratio must be > 0, got {MlpRatio}");
        Require(PatchSize >= 1 && PatchStride >= 1, $"patch_size and patch_stride must be >= 1, got {PatchSize} and {PatchStride}");
        Require(MergeSize >= 1, $"merge_size must be >= 1, got {MergeSize}");
        Require(Activation is "gelu" or "relu", $"act must be \"gelu\" or \"relu\", got \"{Activation}\"");
        Require(AttentionHeads >= 1, $"attention_heads must be >= 1, got {AttentionHeads}");
        Require(AttentionDropout is >= 0 and < 1, $"attention_dropout must be in [0, 1), got {AttentionDropout}");
        Require(FeatureDim >= 0, $"feature_dim must be >= 0, got {FeatureDim}");
        Require(NumClasses >= 1, $"num_classes must be >= 1, got {NumClasses}");
        Require(DropPathRate is >= 0 and < 1, $"drop_path_rate must be in [0, 1), got {DropPathRate}");
        if (SelfAttention)
        {
            var last = StageWidth(StageCount - 1);
            var untouched = last - (last / NDiv);
            Require(untouched % AttentionHeads == 0,
                $"the last stage's untouched channels ({untouched} of {last}) must be divisible by attention_heads ({AttentionHeads})");
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
