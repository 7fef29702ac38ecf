namespace MediaStudio.Neural.Training;

/// <summary>Linear warm-up then cosine decay of the learning rate (Loshchilov and Hutter, 2017, SGDR; nanoGPT's get_lr).</summary>
/// <remarks>
/// Notation: s step (0-based), W warm-up steps, T total steps, eta_max peak, eta_min floor.
/// s &lt; W: lr = eta_max (s + 1) / (W + 1); W &lt;= s &lt;= T: lr = eta_min + (eta_max - eta_min) (1 + cos(pi (s - W) / (T - W))) / 2;
/// s &gt; T: lr = eta_min. Stateless, so resuming needs only the step.
/// </remarks>
/// <param name="PeakLearningRate">eta_max.</param>
/// <param name="MinLearningRate">eta_min.</param>
/// <param name="WarmupSteps">W.</param>
/// <param name="TotalSteps">T.</param>
public sealed record WarmupCosineSchedule(double PeakLearningRate, double MinLearningRate, long WarmupSteps, long TotalSteps)
{
    /// <summary>Creates the schedule of a training run.</summary>
    /// <param name="options">Training options.</param>
    /// <returns>The schedule.</returns>
    public static WarmupCosineSchedule From(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.LearningRate, options.MinLearningRate, options.WarmupSteps, options.TotalSteps);
    }

    /// <summary>Gets the learning rate used for a step.</summary>
    /// <param name="step">0-based step.</param>
    /// <returns>The learning rate.</returns>
    public double At(long step)
    {
        if (step < WarmupSteps)
        {
            return PeakLearningRate * (step + 1) / (WarmupSteps + 1);
        }

        if (step > TotalSteps || TotalSteps == WarmupSteps)
        {
            return step > TotalSteps ? MinLearningRate : PeakLearningRate;
        }

        var progress = (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps);
        return MinLearningRate + ((PeakLearningRate - MinLearningRate) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
