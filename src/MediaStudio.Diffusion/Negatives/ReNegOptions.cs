using System.Text.Json;
using System.Text.Json.Serialization;

namespace MediaStudio.Diffusion.Negatives;

/// <summary>The ReNeg recipe (global embedding), stored as <c>models/negatives/recipe.json</c>; CLI flags override.</summary>
/// <remarks>Paper defaults (SD1.5): AdamW lr 5e-3 with cosine decay, batch 64, 4000 steps, DDIM 30 steps with the
/// gradient step drawn from the last 10, γ = 7.5. Scaled here to the small models and a CPU budget.</remarks>
public sealed record ReNegOptions
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Optimizer steps.</summary>
    [JsonPropertyName("steps")]
    public long Steps { get; init; } = 300;

    /// <summary>Prompts per step.</summary>
    [JsonPropertyName("batch_size")]
    public int BatchSize { get; init; } = 8;

    /// <summary>Peak learning rate (AdamW, cosine to a tenth).</summary>
    [JsonPropertyName("learning_rate")]
    public double LearningRate { get; init; } = 5e-3;

    /// <summary>Guidance scale inside the training graph; generate with a scale close to it.</summary>
    [JsonPropertyName("guidance")]
    public double Guidance { get; init; } = 5;

    /// <summary>Deterministic DDIM steps of the no-gradient rollout.</summary>
    [JsonPropertyName("sampling_steps")]
    public int SamplingSteps { get; init; } = 20;

    /// <summary>The gradient step is drawn uniformly from the last this-many rollout steps (low noise).</summary>
    [JsonPropertyName("late_steps")]
    public int LateSteps { get; init; } = 6;

    /// <summary>Run seed.</summary>
    [JsonPropertyName("seed")]
    public long Seed { get; init; } = 1;

    /// <summary>Per-prompt refinement: most extra steps.</summary>
    [JsonPropertyName("refine_steps")]
    public int RefineSteps { get; init; } = 10;

    /// <summary>Per-prompt refinement: stop after this many steps without a better reward.</summary>
    [JsonPropertyName("refine_patience")]
    public int RefinePatience { get; init; } = 3;

    /// <summary>Per-prompt refinement learning rate.</summary>
    [JsonPropertyName("refine_learning_rate")]
    public double RefineLearningRate { get; init; } = 5e-3;

    /// <summary>Reads a recipe file.</summary>
    public static ReNegOptions Load(string path) =>
        JsonSerializer.Deserialize<ReNegOptions>(File.ReadAllText(path)) ?? throw new JsonException($"{path} is empty");

    /// <summary>Reads a recipe file, or returns the defaults when there is none.</summary>
    public static ReNegOptions LoadOrDefault(string path) => File.Exists(path) ? Load(path) : new ReNegOptions();

    /// <summary>Writes the recipe as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        Require(Steps >= 1, $"steps must be >= 1, got {Steps}");
        Require(BatchSize >= 1, $"batch_size must be >= 1, got {BatchSize}");
        Require(LearningRate > 0 && RefineLearningRate > 0, $"learning rates must be > 0, got {LearningRate} and {RefineLearningRate}");
        Require(Guidance >= 1, $"guidance must be >= 1, got {Guidance}");
        Require(SamplingSteps >= 2, $"sampling_steps must be >= 2, got {SamplingSteps}");
        Require(LateSteps >= 1 && LateSteps <= SamplingSteps, $"late_steps must be in [1, sampling_steps = {SamplingSteps}], got {LateSteps}");
        Require(RefineSteps >= 0 && RefinePatience >= 1, $"refine_steps must be >= 0 and refine_patience >= 1, got {RefineSteps} and {RefinePatience}");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
