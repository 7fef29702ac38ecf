using System.Text.Json;
using System.Text.Json.Serialization;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>The autoencoder's training recipe, stored as models/autoencoder/recipe.json (CLI flags override it).</summary>
public sealed record AutoencoderRecipe
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Gets the optimizer steps.</summary>
    [JsonPropertyName("steps")]
    public long Steps { get; init; } = 2000;

    /// <summary>Gets the images per step.</summary>
    [JsonPropertyName("batch_size")]
    public int BatchSize { get; init; } = 16;

    /// <summary>Gets the peak learning rate.</summary>
    [JsonPropertyName("learning_rate")]
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Gets the final learning rate of the cosine decay.</summary>
    [JsonPropertyName("min_learning_rate")]
    public double MinLearningRate { get; init; } = 5e-5;

    /// <summary>Gets the linear warm-up steps.</summary>
    [JsonPropertyName("warmup_steps")]
    public long WarmupSteps { get; init; } = 100;

    /// <summary>Gets the AdamW weight decay on conv and linear weights.</summary>
    [JsonPropertyName("weight_decay")]
    public double WeightDecay { get; init; } = 0.0;

    /// <summary>Gets the global gradient-norm clip.</summary>
    [JsonPropertyName("grad_clip")]
    public double GradClip { get; init; } = 1.0;

    /// <summary>Gets the weight of the KL term relative to the per-pixel L1 (SD: 1e-6).</summary>
    [JsonPropertyName("kl_weight")]
    public double KlWeight { get; init; } = 1e-6;

    /// <summary>Gets the weight of the image-gradient L1 term (edges).</summary>
    [JsonPropertyName("gradient_weight")]
    public double GradientWeight { get; init; } = 0.5;

    /// <summary>Gets λ_o: the L1 inside objects (their instance-map pixels, one pixel dilated) counts 1 + λ_o times a
    /// background pixel's, so small objects are not traded for textured backgrounds. 0 (the default) is the plain L1.</summary>
    [JsonPropertyName("object_weight")]
    public double ObjectWeight { get; init; }

    /// <summary>Gets the fraction of training renders that carry one of the world's degradations.</summary>
    [JsonPropertyName("degradation_rate")]
    public double DegradationRate { get; init; } = 0.1;

    /// <summary>Gets the run seed (initialisation, batches, posterior samples).</summary>
    [JsonPropertyName("seed")]
    public long Seed { get; init; } = 1;

    /// <summary>Gets the steps between checkpoints.</summary>
    [JsonPropertyName("checkpoint_every")]
    public long CheckpointEvery { get; init; } = 25;

    /// <summary>Gets the held-out renders over which the scaling factor is measured.</summary>
    [JsonPropertyName("scaling_samples")]
    public int ScalingSamples { get; init; } = 512;

    /// <summary>Reads a recipe file and validates it.</summary>
    /// <param name="path">JSON file.</param>
    /// <returns>The recipe.</returns>
    public static AutoencoderRecipe Load(string path)
    {
        var recipe = JsonSerializer.Deserialize<AutoencoderRecipe>(File.ReadAllText(path))
            ?? throw new ArgumentException($"{path} holds no recipe", nameof(path));
        recipe.Validate();
        return recipe;
    }

    /// <summary>Serialises the recipe as indented JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        Require(Steps >= 1, $"steps must be >= 1, got {Steps}", nameof(Steps));
        Require(BatchSize >= 1, $"batch_size must be >= 1, got {BatchSize}", nameof(BatchSize));
        Require(LearningRate > 0, $"learning_rate must be > 0, got {LearningRate}", nameof(LearningRate));
        Require(MinLearningRate >= 0 && MinLearningRate <= LearningRate,
            $"min_learning_rate must be in [0, learning_rate], got {MinLearningRate}", nameof(MinLearningRate));
        Require(WarmupSteps >= 0, $"warmup_steps must be >= 0, got {WarmupSteps}", nameof(WarmupSteps));
        Require(WeightDecay >= 0, $"weight_decay must be >= 0, got {WeightDecay}", nameof(WeightDecay));
        Require(GradClip >= 0, $"grad_clip must be >= 0, got {GradClip}", nameof(GradClip));
        Require(KlWeight >= 0, $"kl_weight must be >= 0, got {KlWeight}", nameof(KlWeight));
        Require(GradientWeight >= 0, $"gradient_weight must be >= 0, got {GradientWeight}", nameof(GradientWeight));
        Require(ObjectWeight >= 0, $"object_weight must be >= 0, got {ObjectWeight}", nameof(ObjectWeight));
        Require(DegradationRate is >= 0 and <= 1, $"degradation_rate must be in [0, 1], got {DegradationRate}", nameof(DegradationRate));
        Require(CheckpointEvery >= 0, $"checkpoint_every must be >= 0, got {CheckpointEvery}", nameof(CheckpointEvery));
        Require(ScalingSamples >= 2, $"scaling_samples must be >= 2, got {ScalingSamples}", nameof(ScalingSamples));
    }

    private static void Require(bool condition, string message, string name)
    {
        if (!condition)
        {
            throw new ArgumentException(message, name);
        }
    }
}
