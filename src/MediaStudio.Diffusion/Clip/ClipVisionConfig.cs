using System.Text.Json.Serialization;
using MediaStudio.Neural.Pat;

namespace MediaStudio.Diffusion.Clip;

/// <summary>Configuration of the CLIP image tower: input size and its PAT backbone.</summary>
public sealed record ClipVisionConfig
{
    /// <summary>Side of the square RGB input. Defaults to 64.</summary>
    [JsonPropertyName("image_size")]
    public int ImageSize { get; init; } = 64;

    /// <summary>The PATNet backbone (its num_classes is unused).</summary>
    [JsonPropertyName("backbone")]
    public PatNetConfig Backbone { get; init; } = DefaultBackbone;

    /// <summary>Gets the shipped backbone: E = 24, depths 1-1-2-1, patch 2, PAT_ch + PAT_sf, no pre-head (the recognizer's).</summary>
    [JsonIgnore]
    public static PatNetConfig DefaultBackbone => new()
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

    /// <summary>Gets the width of the pooled image feature: the flattened last map (it keeps where things are) plus its mean.</summary>
    [JsonIgnore]
    public int PooledDim => (Backbone.StageWidth(Backbone.StageCount - 1) * FinalMapSide * FinalMapSide) + Backbone.PooledDim;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        ClipConfig.Require(Backbone is not null, "vision.backbone is required");
        Backbone!.Validate();
        var stride = Backbone.PatchStride * (1 << (Backbone.StageCount - 1));
        ClipConfig.Require(ImageSize >= stride && ImageSize % stride == 0,
            $"vision.image_size ({ImageSize}) must be a positive multiple of the backbone's total stride ({stride})");
        ClipConfig.Require(Backbone.PatchSize == Backbone.PatchStride,
            $"vision.backbone needs patch_size == patch_stride, got {Backbone.PatchSize} and {Backbone.PatchStride}");
    }
}
