using System.Text.Json;
using System.Text.Json.Serialization;
using MediaStudio.Neural.Training;

namespace MediaStudio.Diffusion.Training;

/// <summary>The UNet's training recipe, stored as <c>models/unet/recipe.json</c>; CLI flags override fields.</summary>
public sealed record UNetRecipe
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Optimizer steps.</summary>
    [JsonPropertyName("steps")]
    public long Steps { get; init; } = 6000;

    /// <summary>Images per step.</summary>
    [JsonPropertyName("batch_size")]
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate.</summary>
    [JsonPropertyName("learning_rate")]
    public double LearningRate { get; init; } = 4e-4;

    /// <summary>Learning rate at the end of the cosine.</summary>
    [JsonPropertyName("min_learning_rate")]
    public double MinLearningRate { get; init; } = 4e-5;

    /// <summary>Linear warm-up steps.</summary>
    [JsonPropertyName("warmup_steps")]
    public long WarmupSteps { get; init; } = 200;

    /// <summary>Run seed: initialisation, data order, noise.</summary>
    [JsonPropertyName("seed")]
    public long Seed { get; init; } = 1;

    /// <summary>Fraction of captions replaced by the empty prompt, so the model learns the unconditional branch.</summary>
    [JsonPropertyName("condition_dropout")]
    public double ConditionDropout { get; init; } = 0.1;

    /// <summary>Min-SNR-γ loss weighting (Hang et al. 2023); 0 turns it off (uniform weights).</summary>
    [JsonPropertyName("min_snr_gamma")]
    public double MinSnrGamma { get; init; } = 5;

    /// <summary>SNR shift s of the noise schedule (<see cref="Schedulers.NoiseScheduleConfig.SnrShift"/>), written into the
    /// UNet folder's <c>scheduler.json</c> so sampling uses the schedule the model was trained on; 1 is no shift.</summary>
    [JsonPropertyName("snr_shift")]
    public double SnrShift { get; init; } = 1;

    /// <summary>Fraction of training scenes with exactly one object; the rest have one to three.</summary>
    [JsonPropertyName("single_object_rate")]
    public double SingleObjectRate { get; init; } = 0.5;

    /// <summary>Fraction of training scenes with a degradation (blur, noise, ...), captioned as such; it teaches the model
    /// what "blurry" means, which a hand-written negative prompt then refers to.</summary>
    [JsonPropertyName("degradation_rate")]
    public double DegradationRate { get; init; } = 0.15;

    /// <summary>Extra loss weight λ_o on the latent pixels where the prompt places an object (its region and size class,
    /// <see cref="TextToImageTraining.PromptObjectWeights"/>): each pixel's squared error counts 1 + λ_o there and 1
    /// elsewhere, normalised per sample. A small object covers a few percent of the image, so without it the backgrounds'
    /// textures dominate the loss; 0 (the default, and what older recipes mean) is the plain mean.</summary>
    [JsonPropertyName("object_weight")]
    public double ObjectWeight { get; init; }

    /// <summary>EMA decay of the weights that are saved; 0 saves the raw weights.</summary>
    [JsonPropertyName("ema_decay")]
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>Write a sample grid and measure the conditioning gap every this many steps.</summary>
    [JsonPropertyName("sample_every")]
    public long SampleEvery { get; init; } = 500;

    /// <summary>Reads a recipe file.</summary>
    public static UNetRecipe Load(string path) =>
        JsonSerializer.Deserialize<UNetRecipe>(File.ReadAllText(path)) ?? throw new JsonException($"{path} is empty");

    /// <summary>Writes the recipe as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Checks the recipe and returns the trainer options for it.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public TrainingOptions ToTrainingOptions()
    {
        if (ConditionDropout is < 0 or >= 1)
        {
            throw new ArgumentException($"condition_dropout must be in [0, 1), got {ConditionDropout}");
        }

        if (SingleObjectRate is < 0 or > 1)
        {
            throw new ArgumentException($"single_object_rate must be in [0, 1], got {SingleObjectRate}");
        }

        if (MinSnrGamma < 0 || ObjectWeight < 0 || BatchSize < 1 || SampleEvery < 0)
        {
            throw new ArgumentException($"min_snr_gamma ({MinSnrGamma}), object_weight ({ObjectWeight}), batch_size ({BatchSize}) and sample_every ({SampleEvery}) must be >= 0 (batch >= 1)");
        }

        new Schedulers.NoiseScheduleConfig { SnrShift = SnrShift }.Validate(); // the schedule owns snr_shift's bounds

        var options = new TrainingOptions
        {
            LearningRate = LearningRate,
            MinLearningRate = MinLearningRate,
            WarmupSteps = Math.Min(WarmupSteps, Steps),
            TotalSteps = Steps,
            WeightDecay = 0.01,
            GradClip = 1.0,
            EmaDecay = EmaDecay,
            Seed = Seed,
            CheckpointEvery = 100,
            ProgressEvery = 5,
            BatchSize = BatchSize,
        };
        options.Validate();
        return options;
    }
}
