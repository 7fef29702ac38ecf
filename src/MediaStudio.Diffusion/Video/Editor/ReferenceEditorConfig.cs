using System.Text.Json.Serialization;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Diffusion.UNet;
using MediaStudio.Neural.Checkpoints;

namespace MediaStudio.Diffusion.Video.Editor;

/// <summary>Configuration of a <see cref="ReferenceEditor"/>: a pixel-space inpainting UNet whose cross-attention reads reference-image tokens.</summary>
/// <remarks>
/// The UNet's input is concat[x_t (3), mask (1), masked source (3)] = 7 channels at <see cref="ImageSize"/>², then,
/// with <see cref="ReferenceHint"/>, the reference placed in the mask's box (4 more, <see cref="Editor.ReferenceHint"/>);
/// its output is 3 channels in the schedule's prediction type. The reference is cut into (<see cref="ImageSize"/> /
/// <see cref="ReferencePatch"/>)² tokens of width <c>unet.cross_attention_dim</c>.
/// </remarks>
public sealed record ReferenceEditorConfig : IModelConfig
{
    /// <summary>Input channels of the UNet without the hint: noisy image, mask, masked source.</summary>
    public const int InputChannels = 7;

    /// <summary>Input channels of the UNet with the hint.</summary>
    public const int HintedInputChannels = InputChannels + Editor.ReferenceHint.Channels;

    /// <summary>Side of the square frames the editor works on. Defaults to 32.</summary>
    [JsonPropertyName("image_size")]
    public int ImageSize { get; init; } = 32;

    /// <summary>Patch side of the reference encoder. Defaults to 4 (64 tokens at 32²).</summary>
    [JsonPropertyName("reference_patch")]
    public int ReferencePatch { get; init; } = 4;

    /// <summary>Width of the reference encoder's convolutional stem. Defaults to 32.</summary>
    [JsonPropertyName("reference_stem_channels")]
    public int ReferenceStemChannels { get; init; } = 32;

    /// <summary>
    /// Whether the UNet also reads the reference placed in the mask's box (<see cref="Editor.ReferenceHint"/>), so it
    /// can draw the reference's shape. False when the key is absent, so editors saved before the option load as they
    /// were; <see cref="Default"/>, what <c>train video-editor</c> builds, sets it.
    /// </summary>
    [JsonPropertyName("reference_hint")]
    public bool ReferenceHint { get; init; }

    /// <summary>The denoiser.</summary>
    [JsonPropertyName("unet")]
    public UNetConfig UNet { get; init; } = new()
    {
        InChannels = InputChannels,
        OutChannels = 3,
        SampleSize = 32,
        BlockOutChannels = [32, 64, 64],
        LayersPerBlock = 1,
        NormNumGroups = 8,
        CrossAttentionDim = 64,
        NumAttentionHeads = 4,
        Attention = [UNetConfig.None, UNetConfig.Full, UNetConfig.Full],
        MidBlockAttention = UNetConfig.Full,
        PredictionType = "v_prediction",
    };

    /// <summary>The noise schedule the editor is trained with (cosine, v-prediction).</summary>
    [JsonPropertyName("schedule")]
    public NoiseScheduleConfig Schedule { get; init; } = NoiseScheduleConfig.CosineVPrediction;

    /// <summary>Input channels the UNet must take.</summary>
    [JsonIgnore]
    public int UNetInputChannels => ReferenceHint ? HintedInputChannels : InputChannels;

    /// <summary>Reference tokens per image.</summary>
    [JsonIgnore]
    public int ReferenceTokens => (ImageSize / ReferencePatch) * (ImageSize / ReferencePatch);

    /// <summary>The editor <c>train video-editor</c> builds: 32² frames, 64 reference tokens, the hint on (11 input channels).</summary>
    public static ReferenceEditorConfig Default { get; } = Hinted(new ReferenceEditorConfig());

    /// <summary>A test-size editor: 16² frames, widths 16/32, 16 reference tokens.</summary>
    public static ReferenceEditorConfig Tiny { get; } = new()
    {
        ImageSize = 16,
        ReferencePatch = 4,
        ReferenceStemChannels = 8,
        ReferenceHint = true,
        UNet = new UNetConfig
        {
            InChannels = HintedInputChannels,
            OutChannels = 3,
            SampleSize = 16,
            BlockOutChannels = [16, 32],
            LayersPerBlock = 1,
            NormNumGroups = 8,
            CrossAttentionDim = 16,
            NumAttentionHeads = 2,
            Attention = [UNetConfig.None, UNetConfig.Full],
            MidBlockAttention = UNetConfig.Full,
            ZeroInitResiduals = false,
            PredictionType = "v_prediction",
        },
    };

    /// <summary>The same config with the hint on and the UNet's input widened to match.</summary>
    public static ReferenceEditorConfig Hinted(ReferenceEditorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config with { ReferenceHint = true, UNet = config.UNet with { InChannels = HintedInputChannels } };
    }

    /// <inheritdoc/>
    public void Validate()
    {
        if (ImageSize <= 0 || ReferencePatch <= 0 || ImageSize % ReferencePatch != 0)
        {
            throw new ArgumentException($"image_size ({ImageSize}) must be a positive multiple of reference_patch ({ReferencePatch})", nameof(ImageSize));
        }

        if (ReferenceStemChannels <= 0)
        {
            throw new ArgumentException($"reference_stem_channels must be positive, got {ReferenceStemChannels}", nameof(ReferenceStemChannels));
        }

        ArgumentNullException.ThrowIfNull(UNet, nameof(UNet));
        UNet.Validate();
        if (UNet.InChannels != UNetInputChannels || UNet.OutChannels != 3)
        {
            throw new ArgumentException(
                $"unet must take {UNetInputChannels} channels (reference_hint {(ReferenceHint ? "true" : "false")}) and give 3, got {UNet.InChannels} -> {UNet.OutChannels}", nameof(UNet));
        }

        if (UNet.SampleSize != ImageSize)
        {
            throw new ArgumentException($"unet.sample_size ({UNet.SampleSize}) must equal image_size ({ImageSize})", nameof(UNet));
        }

        ArgumentNullException.ThrowIfNull(Schedule, nameof(Schedule));
        Schedule.Validate();
        if (Schedule.PredictionType != UNet.PredictionType)
        {
            throw new ArgumentException($"schedule.prediction_type ({Schedule.PredictionType}) must equal unet.prediction_type ({UNet.PredictionType})", nameof(Schedule));
        }
    }
}
