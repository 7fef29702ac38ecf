using System.Text.Json;
using System.Text.Json.Serialization;
using MediaStudio.Neural.Training;

namespace MediaStudio.Diffusion.Clip;

/// <summary>The CLIP training recipe, stored as <c>models/clip/recipe.json</c> and read by <c>mediastudio train clip</c>.</summary>
public sealed record ClipRecipe
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Optimizer steps.</summary>
    [JsonPropertyName("total_steps")]
    public long TotalSteps { get; init; } = 2000;

    /// <summary>Image-caption pairs per step (the contrastive batch).</summary>
    [JsonPropertyName("batch_size")]
    public int BatchSize { get; init; } = 64;

    /// <summary>Peak learning rate.</summary>
    [JsonPropertyName("learning_rate")]
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Learning rate at the end of the cosine.</summary>
    [JsonPropertyName("min_learning_rate")]
    public double MinLearningRate { get; init; } = 5e-5;

    /// <summary>Linear warm-up steps.</summary>
    [JsonPropertyName("warmup_steps")]
    public long WarmupSteps { get; init; } = 100;

    /// <summary>AdamW weight decay on matrices.</summary>
    [JsonPropertyName("weight_decay")]
    public double WeightDecay { get; init; } = 0.05;

    /// <summary>Gradient-norm clip.</summary>
    [JsonPropertyName("grad_clip")]
    public double GradClip { get; init; } = 1.0;

    /// <summary>Run seed (initialisation and data).</summary>
    [JsonPropertyName("seed")]
    public long Seed { get; init; } = 1;

    /// <summary>Weight of the auxiliary attribute loss (image and text heads, mean CE per head each); 0 trains pure InfoNCE.</summary>
    [JsonPropertyName("attribute_loss_weight")]
    public double AttributeLossWeight { get; init; } = 0.5;

    /// <summary>Fraction of training scenes that carry a named degradation ("a blurry photo of ...").</summary>
    [JsonPropertyName("degradation_rate")]
    public double DegradationRate { get; init; } = 0.2;

    /// <summary>T, the tokenizer's context length: 56 holds 99.9% of training captions (20% degraded) and every clean one.</summary>
    [JsonPropertyName("context_length")]
    public int ContextLength { get; init; } = 56;

    /// <summary>Scenes captioned to collect the vocabulary.</summary>
    [JsonPropertyName("vocab_scenes")]
    public int VocabScenes { get; init; } = 5000;

    /// <summary>Save a checkpoint every this many steps.</summary>
    [JsonPropertyName("checkpoint_every")]
    public long CheckpointEvery { get; init; } = 50;

    /// <summary>Reads a recipe file.</summary>
    /// <param name="path">JSON file.</param>
    /// <returns>The validated recipe.</returns>
    public static ClipRecipe Load(string path)
    {
        var recipe = JsonSerializer.Deserialize<ClipRecipe>(File.ReadAllText(path))
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
        ClipConfig.Require(BatchSize >= 2, $"batch_size must be >= 2 (contrastive pairs need negatives), got {BatchSize}");
        ClipConfig.Require(AttributeLossWeight >= 0, $"attribute_loss_weight must be >= 0, got {AttributeLossWeight}");
        ClipConfig.Require(DegradationRate is >= 0 and <= 1, $"degradation_rate must be in [0, 1], got {DegradationRate}");
        ClipConfig.Require(ContextLength >= 2, $"context_length must be >= 2, got {ContextLength}");
        ClipConfig.Require(VocabScenes >= 1, $"vocab_scenes must be >= 1, got {VocabScenes}");
        ToOptions().Validate();
    }
}
