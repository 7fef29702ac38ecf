using System.Text.Json.Serialization;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Pat;

namespace MediaStudio.Diffusion.Clip;

/// <summary>Configuration of the CLIP dual encoder: text tower, image tower, shared embedding and auxiliary attribute heads.</summary>
public sealed record ClipConfig : IModelConfig
{
    /// <summary>The text transformer.</summary>
    [JsonPropertyName("text")]
    public ClipTextConfig Text { get; init; } = new();

    /// <summary>The PAT image tower.</summary>
    [JsonPropertyName("vision")]
    public ClipVisionConfig Vision { get; init; } = new();

    /// <summary>Width of the shared embedding space. Defaults to 128.</summary>
    [JsonPropertyName("projection_dim")]
    public int ProjectionDim { get; init; } = 128;

    /// <summary>Initial logit scale, as its log: ln(1 / 0.07) (Radford et al. 2021). The scale is clamped at 100.</summary>
    [JsonPropertyName("logit_scale_init_value")]
    public double LogitScaleInit { get; init; } = Math.Log(1 / 0.07);

    /// <summary>Logits of the auxiliary attribute heads (the recognizer's heads); 0 leaves the heads out.</summary>
    [JsonPropertyName("attribute_logits")]
    public int AttributeLogits { get; init; }

    /// <summary>Gets a tiny config for tests (width 16, 2 layers, T = 12, a two-stage PAT tower on 16x16 images).</summary>
    public static ClipConfig Tiny(int vocabSize = 32, int contextLength = 12, int attributeLogits = 0) => new()
    {
        Text = new ClipTextConfig
        {
            VocabSize = vocabSize,
            MaxPositionEmbeddings = contextLength,
            HiddenSize = 16,
            NumHiddenLayers = 2,
            NumAttentionHeads = 2,
            IntermediateSize = 32,
        },
        Vision = new ClipVisionConfig
        {
            ImageSize = 16,
            Backbone = new PatNetConfig
            {
                EmbedDim = 8,
                Depths = [1, 1],
                PatchSize = 2,
                PatchStride = 2,
                AttentionHeads = 2,
                AttentionDropout = 0,
                FeatureDim = 0,
                NumClasses = 1,
            },
        },
        ProjectionDim = 16,
        AttributeLogits = attributeLogits,
    };

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        Require(Text is not null, "text is required");
        Require(Vision is not null, "vision is required");
        Text!.Validate();
        Vision!.Validate();
        Require(ProjectionDim >= 1, $"projection_dim must be >= 1, got {ProjectionDim}");
        Require(double.IsFinite(LogitScaleInit) && Math.Exp(LogitScaleInit) <= ClipModel.MaxLogitScale,
            $"logit_scale_init_value must be finite and exp() <= {ClipModel.MaxLogitScale}, got {LogitScaleInit}");
        Require(AttributeLogits >= 0, $"attribute_logits must be >= 0, got {AttributeLogits}");
    }

    internal static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
