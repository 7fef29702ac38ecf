using System.Globalization;

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
/// <param name="Recoveries">Times this process went back to the last checkpoint after a native error (see <see cref="Trainer"/>).</param>
public sealed record TrainingProgress(
    long Step,
    long TotalSteps,
    double Loss,
    double LearningRate,
    double GradNorm,
    double StepsPerSecond,
    double? SamplesPerSecond,
    TimeSpan Elapsed,
    TimeSpan? Eta,
    int Recoveries = 0)
{
    /// <summary>Gets the completed fraction in [0, 1].</summary>
    public double Fraction => TotalSteps == 0 ? 1 : (double)Step / TotalSteps;

    /// <summary>Formats the report as one log line, for example "step 10/100 loss 0.4321 lr 1.00e-003 12.5 it/s ETA 00:00:07".</summary>
    /// <returns>The line, invariant culture.</returns>
    public string Describe()
    {
        var eta = Eta is { } e ? e.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--";
        var samples = SamplesPerSecond is { } s ? string.Create(CultureInfo.InvariantCulture, $" ({s:F1} samples/s)") : "";
        var recovered = Recoveries > 0 ? string.Create(CultureInfo.InvariantCulture, $" (recovered {Recoveries}x)") : "";
        return string.Create(CultureInfo.InvariantCulture, $"step {Step}/{TotalSteps} loss {Loss:F4} lr {LearningRate:E2} {StepsPerSecond:F1} it/s{samples} ETA {eta}{recovered}");
    }
}
