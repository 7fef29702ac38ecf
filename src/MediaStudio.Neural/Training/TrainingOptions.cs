using System.Text.Json.Serialization;

namespace MediaStudio.Neural.Training;

/// <summary>Optimiser, schedule, EMA, seeding and checkpoint settings shared by every <c>train</c> command.</summary>
/// <remarks>Defaults: AdamW lr 1e-3 (betas 0.9/0.999, eps 1e-8, weight decay 0.01 on matrices only), 100 warm-up steps,
/// cosine to 10% of lr over 1000 steps, clip at norm 1, EMA off, seed 0, checkpoint every 100 steps.</remarks>
public sealed record TrainingOptions
{
    /// <summary>Peak learning rate after warm-up.</summary>
    [JsonPropertyName("learning_rate")]
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Learning rate at the end of the cosine decay.</summary>
    [JsonPropertyName("min_learning_rate")]
    public double MinLearningRate { get; init; } = 1e-4;

    /// <summary>Linear warm-up steps.</summary>
    [JsonPropertyName("warmup_steps")]
    public long WarmupSteps { get; init; } = 100;

    /// <summary>Total optimisation steps; the cosine reaches <see cref="MinLearningRate"/> here.</summary>
    [JsonPropertyName("total_steps")]
    public long TotalSteps { get; init; } = 1000;

    /// <summary>Decoupled weight decay, applied to parameters with two or more dimensions only (nanoGPT).</summary>
    [JsonPropertyName("weight_decay")]
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>AdamW beta1.</summary>
    [JsonPropertyName("beta1")]
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW beta2.</summary>
    [JsonPropertyName("beta2")]
    public double Beta2 { get; init; } = 0.999;

    /// <summary>AdamW epsilon.</summary>
    [JsonPropertyName("eps")]
    public double Eps { get; init; } = 1e-8;

    /// <summary>Gradient-norm clip; 0 turns clipping off.</summary>
    [JsonPropertyName("grad_clip")]
    public double GradClip { get; init; } = 1.0;

    /// <summary>EMA decay of the weights; 0 turns EMA off.</summary>
    [JsonPropertyName("ema_decay")]
    public double EmaDecay { get; init; }

    /// <summary>Ramp the EMA decay as min(decay, (1 + n) / (10 + n)) over the first updates.</summary>
    [JsonPropertyName("ema_warmup")]
    public bool EmaWarmup { get; init; } = true;

    /// <summary>Seed of the torch RNG at the start of a fresh run.</summary>
    [JsonPropertyName("seed")]
    public long Seed { get; init; }

    /// <summary>Save a checkpoint every this many steps (and at the end and on cancellation); 0 saves only then.</summary>
    [JsonPropertyName("checkpoint_every")]
    public long CheckpointEvery { get; init; } = 100;

    /// <summary>Report progress every this many steps (and at the end).</summary>
    [JsonPropertyName("progress_every")]
    public long ProgressEvery { get; init; } = 10;

    /// <summary>Samples per step, used only to report samples per second; 0 when unknown.</summary>
    [JsonPropertyName("batch_size")]
    public int BatchSize { get; init; }

    /// <summary>Returns these options with another peak learning rate (the floor stays at most a tenth of it), or unchanged for null.</summary>
    public TrainingOptions WithPeakLearningRate(double? peak) =>
        peak is { } lr ? this with { LearningRate = lr, MinLearningRate = Math.Min(MinLearningRate, lr / 10) } : this;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        Require(LearningRate > 0, $"learning_rate must be > 0, got {LearningRate}");
        Require(MinLearningRate >= 0 && MinLearningRate <= LearningRate, $"min_learning_rate must be in [0, learning_rate = {LearningRate}], got {MinLearningRate}");
        Require(TotalSteps >= 1, $"total_steps must be >= 1, got {TotalSteps}");
        Require(WarmupSteps >= 0 && WarmupSteps <= TotalSteps, $"warmup_steps must be in [0, total_steps = {TotalSteps}], got {WarmupSteps}");
        Require(WeightDecay >= 0, $"weight_decay must be >= 0, got {WeightDecay}");
        Require(Beta1 is >= 0 and < 1 && Beta2 is >= 0 and < 1, $"beta1 and beta2 must be in [0, 1), got {Beta1} and {Beta2}");
        Require(Eps > 0, $"eps must be > 0, got {Eps}");
        Require(GradClip >= 0, $"grad_clip must be >= 0 (0 = off), got {GradClip}");
        Require(EmaDecay is >= 0 and < 1, $"ema_decay must be in [0, 1) (0 = off), got {EmaDecay}");
        Require(CheckpointEvery >= 0, $"checkpoint_every must be >= 0, got {CheckpointEvery}");
        Require(ProgressEvery >= 1, $"progress_every must be >= 1, got {ProgressEvery}");
        Require(BatchSize >= 0, $"batch_size must be >= 0, got {BatchSize}");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
