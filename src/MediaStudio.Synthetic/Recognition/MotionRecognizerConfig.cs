using System.Text.Json.Serialization;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Pat;

namespace MediaStudio.Synthetic.Recognition;

/// <summary>Configuration of the motion recognizer: frames per clip, their size, and the PAT backbone that reads them stacked.</summary>
public sealed record MotionRecognizerConfig : IModelConfig
{
    /// <summary>Side of the square RGB frames. Defaults to 64.</summary>
    [JsonPropertyName("image_size")]
    public int ImageSize { get; init; } = 64;

    /// <summary>Frames a clip is sampled to, evenly over its duration (first and last included); the backbone reads them as 3·frames channels.</summary>
    [JsonPropertyName("frames")]
    public int Frames { get; init; } = 4;

    /// <summary>The PATNet backbone; in_channels must be 3·frames, its classifier fields are unused.</summary>
    [JsonPropertyName("backbone")]
    public PatNetConfig Backbone { get; init; } = Default(4);

    /// <summary>Gets the shipped backbone for a frame count: E = 32, depths 1-1-2-1, patch 2, PAT_ch + PAT_sf, no pre-head.</summary>
    public static PatNetConfig Default(int frames) => RecognizerConfig.Default with { InChannels = 3 * frames, EmbedDim = 32 };

    /// <summary>Gets the side of the last stage's feature map.</summary>
    [JsonIgnore]
    public int FinalMapSide => ImageSize / Backbone.PatchStride / (1 << (Backbone.StageCount - 1));

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Backbone);
        Backbone.Validate();
        if (Frames is < 2 or > 16)
        {
            throw new ArgumentException($"frames must be 2-16, got {Frames}", nameof(Frames));
        }

        if (Backbone.InChannels != 3 * Frames)
        {
            throw new ArgumentException($"the backbone reads the frames stacked: in_channels must be 3 x {Frames} = {3 * Frames}, got {Backbone.InChannels}", nameof(Backbone));
        }

        var stride = Backbone.PatchStride * (1 << (Backbone.StageCount - 1));
        if (ImageSize < stride || ImageSize % stride != 0 || Backbone.PatchSize != Backbone.PatchStride)
        {
            throw new ArgumentException($"image_size ({ImageSize}) must be a positive multiple of the backbone's total stride ({stride}), with patch_size == patch_stride", nameof(ImageSize));
        }
    }
}
