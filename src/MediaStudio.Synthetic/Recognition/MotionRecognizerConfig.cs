using System.Text.Json.Serialization;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Pat;

namespace MediaStudio.Synthetic.Recognition;

/// <summary>Configuration of the motion recognizer: frames per clip, their size, and the PAT backbones that read them.</summary>
/// <remarks>
/// Two layouts. <em>Stacked</em> (no <see cref="FrameBackbone"/>): the frames enter <see cref="Backbone"/> as 3·frames
/// channels. <em>Siamese</em>: <see cref="FrameBackbone"/> encodes every frame alone with shared weights, and
/// <see cref="Backbone"/> reads the frames' last maps stacked, frames × width channels, so an object's shape and
/// orientation are compared at the cells it occupies in each frame rather than mixed at the first convolution.
/// </remarks>
public sealed record MotionRecognizerConfig : IModelConfig
{
    /// <summary>Side of the square RGB frames. Defaults to 64.</summary>
    [JsonPropertyName("image_size")]
    public int ImageSize { get; init; } = 64;

    /// <summary>Frames a clip is sampled to, evenly over its duration (first and last included); the backbone reads them as 3·frames channels.</summary>
    [JsonPropertyName("frames")]
    public int Frames { get; init; } = 4;

    /// <summary>The PATNet backbone the readout reads; in_channels must be 3·frames (stacked) or frames × the frame
    /// backbone's last width (siamese). Its classifier fields are unused.</summary>
    [JsonPropertyName("backbone")]
    public PatNetConfig Backbone { get; init; } = Default(4);

    /// <summary>The per-frame PATNet backbone of the siamese layout (in_channels 3), or null for the stacked layout.</summary>
    [JsonPropertyName("frame_backbone")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PatNetConfig? FrameBackbone { get; init; }

    /// <summary>Gets the stacked backbone for a frame count: E = 32, depths 1-1-2-1, patch 2, PAT_ch + PAT_sf, no pre-head.</summary>
    public static PatNetConfig Default(int frames) => RecognizerConfig.Default with { InChannels = 3 * frames, EmbedDim = 32 };

    /// <summary>Gets the siamese layout: each 64x64 frame to an 8x8 map of 128 channels (E = 32, depths 1-1-2, patch 2,
    /// no self-attention), then the stacked maps through two stages at 8x8 and 4x4 (E = 128, patch 1, self-attention last).</summary>
    public static MotionRecognizerConfig Siamese(int frames = 4)
    {
        var frame = RecognizerConfig.Default with { EmbedDim = 32, Depths = [1, 1, 2], SelfAttention = false };
        return new MotionRecognizerConfig
        {
            Frames = frames,
            FrameBackbone = frame,
            Backbone = RecognizerConfig.Default with
            {
                InChannels = frames * frame.StageWidth(frame.StageCount - 1), EmbedDim = 128, Depths = [1, 1], PatchSize = 1, PatchStride = 1,
            },
        };
    }

    /// <summary>Weight of the per-frame pose loss (siamese layout only; 0, the default, turns it off). A 1x1 head on each
    /// frame's map predicts, at the cell that holds an object's centre, (cos mθ, sin mθ) of the object's turn θ under its
    /// shape's m-fold symmetry and its log radius, supervised by the world's poses, so the frame features carry each
    /// object's orientation and size for the second backbone to compare across frames.</summary>
    [JsonPropertyName("pose_weight")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double PoseWeight { get; init; }

    /// <summary>Gets the total stride of the frame backbone (1 for the stacked layout).</summary>
    [JsonIgnore]
    public int FrameStride => FrameBackbone is { } f ? f.PatchStride * (1 << (f.StageCount - 1)) : 1;

    /// <summary>Gets the side of the last stage's feature map.</summary>
    [JsonIgnore]
    public int FinalMapSide => ImageSize / FrameStride / Backbone.PatchStride / (1 << (Backbone.StageCount - 1));

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Backbone);
        Backbone.Validate();
        if (Frames is < 2 or > 16)
        {
            throw new ArgumentException($"frames must be 2-16, got {Frames}", nameof(Frames));
        }

        if (FrameBackbone is { } frame)
        {
            frame.Validate();
            var width = frame.StageWidth(frame.StageCount - 1);
            if (frame.InChannels != 3 || frame.PatchSize != frame.PatchStride || Backbone.InChannels != Frames * width)
            {
                throw new ArgumentException(
                    $"the siamese layout needs frame_backbone.in_channels 3 (got {frame.InChannels}), its patch_size == patch_stride, and backbone.in_channels = {Frames} x {width} = {Frames * width} (got {Backbone.InChannels})",
                    nameof(FrameBackbone));
            }
        }
        else if (Backbone.InChannels != 3 * Frames)
        {
            throw new ArgumentException($"the backbone reads the frames stacked: in_channels must be 3 x {Frames} = {3 * Frames}, got {Backbone.InChannels}", nameof(Backbone));
        }

        if (PoseWeight < 0 || double.IsNaN(PoseWeight) || (PoseWeight > 0 && FrameBackbone is null))
        {
            throw new ArgumentException($"pose_weight must be 0 or, with a frame_backbone (siamese layout), positive; got {PoseWeight}", nameof(PoseWeight));
        }

        var stride = FrameStride * Backbone.PatchStride * (1 << (Backbone.StageCount - 1));
        if (ImageSize < stride || ImageSize % stride != 0 || Backbone.PatchSize != Backbone.PatchStride)
        {
            throw new ArgumentException($"image_size ({ImageSize}) must be a positive multiple of the backbone's total stride ({stride}), with patch_size == patch_stride", nameof(ImageSize));
        }
    }
}
