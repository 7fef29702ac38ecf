using System.Text.Json.Serialization;
using MediaStudio.Neural.Checkpoints;

namespace MediaStudio.Diffusion.Schedulers;

/// <summary>Configuration of a discrete noise schedule, mirroring diffusers' scheduler <c>config.json</c> keys.</summary>
/// <remarks>
/// Defaults are diffusers' <c>DDPMScheduler</c> defaults (1000 steps, linear betas 1e-4 to 0.02, epsilon) with
/// <c>trailing</c> timestep spacing: trailing always starts sampling at the last training step t = N - 1, where the
/// model saw almost pure noise, which matters most for few-step sampling (Lin et al. 2024, "Common Diffusion Noise
/// Schedules and Sample Steps are Flawed", Table 2). <c>leading</c> reproduces the Stable Diffusion 1.x setting
/// (with <c>steps_offset</c> = 1).
/// </remarks>
public sealed record NoiseScheduleConfig : IModelConfig
{
    /// <summary>The beta schedules this code knows.</summary>
    public static readonly IReadOnlyList<string> BetaSchedules = ["linear", "scaled_linear", "squaredcos_cap_v2", "cosine"];

    /// <summary>The prediction types this code knows.</summary>
    public static readonly IReadOnlyList<string> PredictionTypes = ["epsilon", "v_prediction"];

    /// <summary>The inference timestep spacings this code knows.</summary>
    public static readonly IReadOnlyList<string> TimestepSpacings = ["leading", "trailing"];

    /// <summary>Number of training timesteps N. Defaults to 1000.</summary>
    [JsonPropertyName("num_train_timesteps")]
    public int NumTrainTimesteps { get; init; } = 1000;

    /// <summary>
    /// Beta schedule: "linear", "scaled_linear" (linear in sqrt(beta), Stable Diffusion) or "squaredcos_cap_v2"
    /// (the cosine schedule of Nichol and Dhariwal 2021, eq. 17, with betas capped at 0.999; "cosine" is an alias). Defaults to "linear".
    /// </summary>
    [JsonPropertyName("beta_schedule")]
    public string BetaSchedule { get; init; } = "linear";

    /// <summary>First beta of the linear schedules. Defaults to 1e-4. Unused by the cosine schedule.</summary>
    [JsonPropertyName("beta_start")]
    public double BetaStart { get; init; } = 1e-4;

    /// <summary>Last beta of the linear schedules. Defaults to 0.02. Unused by the cosine schedule.</summary>
    [JsonPropertyName("beta_end")]
    public double BetaEnd { get; init; } = 0.02;

    /// <summary>What the model predicts: "epsilon" (the noise) or "v_prediction" (the velocity). Defaults to "epsilon".</summary>
    [JsonPropertyName("prediction_type")]
    public string PredictionType { get; init; } = "epsilon";

    /// <summary>Inference timestep spacing, "leading" or "trailing" (diffusers' names). Defaults to "trailing".</summary>
    [JsonPropertyName("timestep_spacing")]
    public string TimestepSpacing { get; init; } = "trailing";

    /// <summary>Offset added to "leading" timesteps (Stable Diffusion uses 1). Defaults to 0.</summary>
    [JsonPropertyName("steps_offset")]
    public int StepsOffset { get; init; }

    /// <summary>
    /// Shift s of the signal-to-noise ratio: every timestep's SNR is divided by s², so abar'_t = abar_t / (abar_t + s²
    /// (1 - abar_t)) and the betas follow (Hoogeboom et al. 2023, "simple diffusion", section 3.1, the shifted cosine
    /// schedule; SD3's "shift" of its flow schedule is the same move). A latent whose cells repeat an object's signal
    /// keeps its layout readable at noise levels where a single cell is drowned, so s &gt; 1 moves training and sampling
    /// time towards the levels where the layout must come from the prompt. Defaults to 1 (no shift). Not a diffusers key.
    /// </summary>
    [JsonPropertyName("snr_shift")]
    public double SnrShift { get; init; } = 1;

    /// <summary>Gets the Stable Diffusion 1.x schedule: scaled_linear 0.00085 to 0.012, epsilon, leading + 1.</summary>
    public static NoiseScheduleConfig StableDiffusion => new()
    {
        BetaSchedule = "scaled_linear",
        BetaStart = 0.00085,
        BetaEnd = 0.012,
        TimestepSpacing = "leading",
        StepsOffset = 1,
    };

    /// <summary>Gets the cosine schedule with v-prediction that suits small models (notes/diffusion-calibration.md).</summary>
    public static NoiseScheduleConfig CosineVPrediction => new()
    {
        BetaSchedule = "squaredcos_cap_v2",
        PredictionType = "v_prediction",
    };

    /// <summary>Gets whether the model predicts the velocity v rather than the noise.</summary>
    [JsonIgnore]
    public bool IsVPrediction => PredictionType == "v_prediction";

    /// <summary>Gets whether the beta schedule is the cosine one ("squaredcos_cap_v2" or its alias "cosine").</summary>
    [JsonIgnore]
    public bool IsCosine => BetaSchedule is "squaredcos_cap_v2" or "cosine";

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        Require(NumTrainTimesteps is >= 2 and <= 100_000, $"num_train_timesteps must be in [2, 100000], got {NumTrainTimesteps}");
        Require(BetaSchedules.Contains(BetaSchedule),
            $"beta_schedule must be one of {string.Join(", ", BetaSchedules)}, got \"{BetaSchedule}\"");
        if (!IsCosine)
        {
            Require(BetaStart is > 0 and < 1, $"beta_start must be in (0, 1), got {BetaStart}");
            Require(BetaEnd is > 0 and < 1, $"beta_end must be in (0, 1), got {BetaEnd}");
            Require(BetaStart <= BetaEnd, $"beta_start ({BetaStart}) must be <= beta_end ({BetaEnd})");
        }

        Require(PredictionTypes.Contains(PredictionType),
            $"prediction_type must be one of {string.Join(", ", PredictionTypes)}, got \"{PredictionType}\"");
        Require(TimestepSpacings.Contains(TimestepSpacing),
            $"timestep_spacing must be one of {string.Join(", ", TimestepSpacings)}, got \"{TimestepSpacing}\"");
        Require(double.IsFinite(SnrShift) && SnrShift is >= 0.1 and <= 100, $"snr_shift must be in [0.1, 100], got {SnrShift}");
        Require(StepsOffset >= 0 && StepsOffset < NumTrainTimesteps, $"steps_offset must be in [0, num_train_timesteps), got {StepsOffset}");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
