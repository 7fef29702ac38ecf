using System.Text.Json;
using System.Text.Json.Serialization;
using MediaStudio.Neural.Training;

namespace MediaStudio.Diffusion.Video.Training;

/// <summary>A video-editing training recipe (editor, motion modules or motion reference), stored as <c>models/&lt;name&gt;/recipe.json</c>; CLI flags override fields.</summary>
public sealed record VideoEditRecipe
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Optimizer steps.</summary>
    [JsonPropertyName("steps")]
    public long Steps { get; init; } = 3000;

    /// <summary>Images (editor) or clips (motion stages) per step.</summary>
    [JsonPropertyName("batch_size")]
    public int BatchSize { get; init; } = 24;

    /// <summary>Frames per training clip (motion stages).</summary>
    [JsonPropertyName("frames")]
    public int Frames { get; init; } = 8;

    /// <summary>Peak learning rate.</summary>
    [JsonPropertyName("learning_rate")]
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Learning rate at the end of the cosine.</summary>
    [JsonPropertyName("min_learning_rate")]
    public double MinLearningRate { get; init; } = 1e-4;

    /// <summary>Linear warm-up steps.</summary>
    [JsonPropertyName("warmup_steps")]
    public long WarmupSteps { get; init; } = 100;

    /// <summary>Run seed: initialisation, data, noise.</summary>
    [JsonPropertyName("seed")]
    public long Seed { get; init; } = 1;

    /// <summary>Fraction of samples whose reference is replaced by the null tokens (MimicBrush: 25%), so guidance works.</summary>
    [JsonPropertyName("reference_dropout")]
    public double ReferenceDropout { get; init; } = 0.25;

    /// <summary>Fraction of editor samples masked by the object's bounding box instead of its (dilated) silhouette.</summary>
    [JsonPropertyName("box_mask_rate")]
    public double BoxMaskRate { get; init; } = 0.5;

    /// <summary>Fraction of editor samples whose reference is a crop of the object from another frame instead of its rendered reference image.</summary>
    [JsonPropertyName("crop_reference_rate")]
    public double CropReferenceRate { get; init; } = 0.3;

    /// <summary>Masked motion modeling: probability that a frame after the first is masked (the others show their source).</summary>
    [JsonPropertyName("mask_ratio")]
    public double MaskRatio { get; init; } = 0.6;

    /// <summary>Loss weight of the pixels inside the mask relative to outside (1 + w inside).</summary>
    [JsonPropertyName("mask_loss_weight")]
    public double MaskLossWeight { get; init; } = 4;

    /// <summary>Save a checkpoint every this many steps.</summary>
    [JsonPropertyName("checkpoint_every")]
    public long CheckpointEvery { get; init; } = 50;

    /// <summary>Reads a recipe file.</summary>
    public static VideoEditRecipe Load(string path) =>
        JsonSerializer.Deserialize<VideoEditRecipe>(File.ReadAllText(path)) ?? throw new JsonException($"{path} is empty");

    /// <summary>Writes the recipe as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Checks the recipe and returns the trainer options.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public TrainingOptions ToTrainingOptions()
    {
        Rate(ReferenceDropout, "reference_dropout");
        Rate(BoxMaskRate, "box_mask_rate");
        Rate(CropReferenceRate, "crop_reference_rate");
        Rate(MaskRatio, "mask_ratio");
        if (BatchSize < 1 || Frames < 2 || MaskLossWeight < 0)
        {
            throw new ArgumentException($"batch_size ({BatchSize}) must be >= 1, frames ({Frames}) >= 2, mask_loss_weight ({MaskLossWeight}) >= 0");
        }

        var options = new TrainingOptions
        {
            LearningRate = LearningRate,
            MinLearningRate = MinLearningRate,
            WarmupSteps = Math.Min(WarmupSteps, Steps),
            TotalSteps = Steps,
            WeightDecay = 0.01,
            GradClip = 1.0,
            Seed = Seed,
            CheckpointEvery = CheckpointEvery,
            ProgressEvery = 5,
            BatchSize = BatchSize,
        };
        options.Validate();
        return options;
    }

    private static void Rate(double value, string name)
    {
        if (value is < 0 or > 1 || double.IsNaN(value))
        {
            throw new ArgumentException($"{name} must be in [0, 1], got {value}");
        }
    }
}
