namespace MediaStudio.Neural.Training;

/// <summary>One progress report of a training run, for the CLI's progress bar and a job's status row.</summary>
/// <param name="Step">Steps completed.</param>
/// <param name="TotalSteps">Steps in the run.</param>
/// <param name="Loss">Loss of the last step.</param>
/// <param name="LearningRate">Learning rate used by the last step.</param>
/// <param name="GradNorm">Gradient norm before clipping of the last step.</param>
/// <param name="StepsPerSecond">Throughput since this process started the run.</param>
/// <param name="SamplesPerSecond">Throughput in samples, or null when the batch size is unknown.</param>
/// <param name="Elapsed">Wall time since this process started the run.</param>
/// <param name="Eta">Estimated time to the last step, or null before the first measurement.</param>
public sealed record TrainingProgress(
    long Step,
    long TotalSteps,
    double Loss,
    double LearningRate,
    double GradNorm,
    double StepsPerSecond,
    double? SamplesPerSecond,
    TimeSpan Elapsed,
    TimeSpan? Eta)
{
    /// <summary>Gets the completed fraction in [0, 1].</summary>
    public double Fraction => TotalSteps == 0 ? 1 : (double)Step / TotalSteps;
}
