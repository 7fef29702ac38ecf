using System.Text.Json.Serialization;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Pat;

namespace MediaStudio.Synthetic.Recognition;

/// <summary>Configuration of the scene recognizer: input size and the PAT backbone.</summary>
public sealed record RecognizerConfig : IModelConfig
{
    /// <summary>Side of the square RGB input. Defaults to 64.</summary>
    [JsonPropertyName("image_size")]
    public int ImageSize { get; init; } = 64;

    /// <summary>The PATNet backbone; its classifier fields (num_classes) are unused.</summary>
    [JsonPropertyName("backbone")]
    public PatNetConfig Backbone { get; init; } = Default;

    /// <summary>Gets the shipped backbone: E = 24, depths 1-1-2-1, patch 2, PAT_ch + PAT_sf, no pre-head.</summary>
    [JsonIgnore]
    public static PatNetConfig Default => new()
    {
        EmbedDim = 24,
        Depths = [1, 1, 2, 1],
        PatchSize = 2,
        PatchStride = 2,
        AttentionHeads = 4,
        AttentionDropout = 0,
        FeatureDim = 0,
        NumClasses = 1,
    };

    /// <summary>Gets the side of the last stage's feature map.</summary>
    [JsonIgnore]
    public int FinalMapSide => ImageSize / Backbone.PatchStride / (1 << (Backbone.StageCount - 1));

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Backbone);
        Backbone.Validate();
        var stride = Backbone.PatchStride * (1 << (Backbone.StageCount - 1));
        if (ImageSize < stride || ImageSize % stride != 0)
        {
            throw new ArgumentException($"image_size ({ImageSize}) must be a positive multiple of the backbone's total stride ({stride})", nameof(ImageSize));
        }

        if (Backbone.PatchSize != Backbone.PatchStride)
        {
            throw new ArgumentException($"the recognizer needs patch_size == patch_stride, got {Backbone.PatchSize} and {Backbone.PatchStride}", nameof(Backbone));
        }
    }
}
