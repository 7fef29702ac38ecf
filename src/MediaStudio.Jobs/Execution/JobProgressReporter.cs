using MediaStudio.Core.Jobs;

namespace MediaStudio.Jobs.Execution;

/// <summary>Writes a running job's stage, progress and ETA to its row at most twice a second (and on every stage
/// change), and cancels the attempt when the row says to stop: a cancel request, or another worker took the job.</summary>
public sealed class JobProgressReporter(JobStore store, Guid jobId, string worker, TimeProvider clock, CancellationTokenSource attempt)
{
    /// <summary>The shortest gap between two writes of the same stage.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(500);

    private readonly long _started = clock.GetTimestamp();
    private long _lastWrite = long.MinValue;
    private string? _lastStage;

    /// <summary>Records progress; call it once per step, outside tensor code.</summary>
    /// <param name="stage">A short stage name shown to the person ("denoising").</param>
    /// <param name="fraction">Overall fraction done, 0 to 1.</param>
    /// <param name="previewAssetId">An optional preview image already published as an asset.</param>
    /// <param name="cancellationToken">The attempt's token.</param>
    public async Task ReportAsync(string stage, double fraction, Guid? previewAssetId, CancellationToken cancellationToken)
    {
        var now = clock.GetTimestamp();
        var due = _lastWrite == long.MinValue || stage != _lastStage || previewAssetId is not null
            || clock.GetElapsedTime(_lastWrite, now) >= MinInterval;
        if (!due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return;
        }

        _lastWrite = now;
        _lastStage = stage;
        var elapsed = clock.GetElapsedTime(_started, now).TotalSeconds;
        double? eta = fraction is > 0.01 and < 1 ? elapsed / fraction * (1 - fraction) : null;
        var stillOurs = await store.ReportProgressAsync(jobId, worker, stage, fraction, eta, previewAssetId, cancellationToken);
        if (!stillOurs)
        {
            await attempt.CancelAsync();
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}
