using System.Text.Json;
using System.Text.Json.Serialization;
using MediaStudio.Diffusion.Clip;
using MediaStudio.Neural.Training;

namespace MediaStudio.Diffusion.Reward;

/// <summary>The reward model's training recipe, stored as <c>models/reward/recipe.json</c> and read by <c>mediastudio train reward</c>.</summary>
public sealed record RewardRecipe
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Optimizer steps.</summary>
    [JsonPropertyName("total_steps")]
    public long TotalSteps { get; init; } = 500;

    /// <summary>Preference pairs per step.</summary>
    [JsonPropertyName("batch_size")]
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate.</summary>
    [JsonPropertyName("learning_rate")]
    public double LearningRate { get; init; } = 5e-4;

    /// <summary>Learning rate at the end of the cosine.</summary>
    [JsonPropertyName("min_learning_rate")]
    public double MinLearningRate { get; init; } = 2e-5;

    /// <summary>Linear warm-up steps.</summary>
    [JsonPropertyName("warmup_steps")]
    public long WarmupSteps { get; init; } = 30;

    /// <summary>AdamW weight decay on matrices.</summary>
    [JsonPropertyName("weight_decay")]
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Gradient-norm clip.</summary>
    [JsonPropertyName("grad_clip")]
    public double GradClip { get; init; } = 1.0;

    /// <summary>Run seed (head initialisation and data).</summary>
    [JsonPropertyName("seed")]
    public long Seed { get; init; } = 1;

    /// <summary>Hidden width of the MLP head.</summary>
    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; } = 256;

    /// <summary>Last PAT stages of the image tower fine-tuned (0 freezes the tower; its readout and projection train when > 0).</summary>
    [JsonPropertyName("trainable_vision_stages")]
    public int TrainableVisionStages { get; init; } = 1;

    /// <summary>The CLIP folder the towers start from.</summary>
    [JsonPropertyName("clip")]
    public string Clip { get; init; } = "models/clip";

    /// <summary>Save a checkpoint every this many steps.</summary>
    [JsonPropertyName("checkpoint_every")]
    public long CheckpointEvery { get; init; } = 50;

    /// <summary>Reads a recipe file.</summary>
    /// <param name="path">JSON file.</param>
    /// <returns>The validated recipe.</returns>
    public static RewardRecipe Load(string path)
    {
        var recipe = JsonSerializer.Deserialize<RewardRecipe>(File.ReadAllText(path))
            ?? throw new ArgumentException($"{path} holds no recipe", nameof(path));
        recipe.Validate();
        return recipe;
    }

    /// <summary>Writes the recipe as indented JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Returns the trainer options of this recipe.</summary>
    /// <returns>AdamW, warm-up + cosine, clipping, checkpoints.</returns>
    public TrainingOptions ToOptions() => new()
    {
        LearningRate = LearningRate,
        MinLearningRate = MinLearningRate,
        WarmupSteps = Math.Min(WarmupSteps, TotalSteps),
        TotalSteps = TotalSteps,
        WeightDecay = WeightDecay,
        GradClip = GradClip,
        Seed = Seed,
        CheckpointEvery = CheckpointEvery,
        ProgressEvery = 10,
        BatchSize = BatchSize,
    };

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        ClipConfig.Require(BatchSize >= 1, $"batch_size must be >= 1, got {BatchSize}");
        ClipConfig.Require(HiddenSize >= 1, $"hidden_size must be >= 1, got {HiddenSize}");
        ClipConfig.Require(TrainableVisionStages >= 0, $"trainable_vision_stages must be >= 0, got {TrainableVisionStages}");
        ClipConfig.Require(!string.IsNullOrWhiteSpace(Clip), "clip (the CLIP folder) is required");
        ToOptions().Validate();
    }
}
