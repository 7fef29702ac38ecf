using System.Text.Json.Serialization;
using MediaStudio.Diffusion.Clip;
using MediaStudio.Neural.Checkpoints;

namespace MediaStudio.Diffusion.Reward;

/// <summary>Configuration of the reward model: the CLIP towers it is built on, its MLP head and what it fine-tunes.</summary>
public sealed record RewardConfig : IModelConfig
{
    /// <summary>The CLIP towers (attribute heads left out: attribute_logits 0).</summary>
    [JsonPropertyName("clip")]
    public ClipConfig Clip { get; init; } = new();

    /// <summary>Hidden width of the MLP head over [img, txt, img * txt]. Defaults to 256.</summary>
    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; } = 256;

    /// <summary>Initial weight of the CLIP cosine added to the head's output. Defaults to 10.</summary>
    [JsonPropertyName("cosine_weight_init")]
    public double CosineWeightInit { get; init; } = 10.0;

    /// <summary>Last PAT stages of the image tower that are fine-tuned (with its readout and projection); the rest, and the text tower, stay frozen.</summary>
    [JsonPropertyName("trainable_vision_stages")]
    public int TrainableVisionStages { get; init; } = 1;

    /// <summary>The CLIP folder the towers were initialised from (provenance; the reward folder holds every weight it needs).</summary>
    [JsonPropertyName("clip_source")]
    public string ClipSource { get; init; } = "";

    /// <summary>SHA-256 of that folder's model.safetensors when the reward model was built (provenance).</summary>
    [JsonPropertyName("clip_weights_sha256")]
    public string ClipWeightsSha256 { get; init; } = "";

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        ClipConfig.Require(Clip is not null, "clip is required");
        Clip!.Validate();
        ClipConfig.Require(Clip.AttributeLogits == 0, $"clip.attribute_logits must be 0 in a reward model (its heads are training-only), got {Clip.AttributeLogits}");
        ClipConfig.Require(HiddenSize >= 1, $"hidden_size must be >= 1, got {HiddenSize}");
        ClipConfig.Require(double.IsFinite(CosineWeightInit), $"cosine_weight_init must be finite, got {CosineWeightInit}");
        ClipConfig.Require(TrainableVisionStages >= 0 && TrainableVisionStages <= Clip.Vision.Backbone.StageCount,
            $"trainable_vision_stages must be in [0, {Clip.Vision.Backbone.StageCount}], got {TrainableVisionStages}");
    }
}
