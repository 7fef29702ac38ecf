using Hangfire.Storage;
using Hangfire.Storage.SQLite;

namespace MediaStudio.Jobs.Hosting;

/// <summary>Wakes this process's idle workers the moment a job is queued here, instead of at their next poll.</summary>
/// <remarks>Hangfire's SQLite storage only polls (<see cref="QueueOptions.PollInterval"/>); PostgreSQL has LISTEN/NOTIFY
/// for the same purpose. In the embedded default the web app and the workers share one process, so a submission can
/// simply tell the waiting workers. Each <see cref="Signal"/> ends the current generation: every worker waiting on it
/// polls once at once. Jobs queued by another process, and Hangfire's own re-queues, are still found by polling.</remarks>
public sealed class QueueWakeup : IDisposable
{
    private CancellationTokenSource generation = new();

    /// <summary>Gets a token that is cancelled at the next <see cref="Signal"/>.</summary>
    public CancellationToken Next => Volatile.Read(ref generation).Token;

    /// <summary>Wakes every worker waiting now. Call after the job's enqueue has committed.</summary>
    public void Signal()
    {
        // the old source is never disposed: a worker may still be linking to its token (nothing unmanaged is held,
        // since nobody reads its wait handle)
        var woken = Interlocked.Exchange(ref generation, new CancellationTokenSource());
        woken.Cancel();
    }

    /// <inheritdoc/>
    public void Dispose() => generation.Dispose();
}

/// <summary>The SQLite queue provider with <see cref="QueueWakeup"/>: dequeues wait on the poll interval or a wake-up,
/// whichever comes first.</summary>
internal sealed class WakingSqliteQueueProvider(SQLiteStorageOptions options, QueueWakeup wakeup) : IPersistentJobQueueProvider
{
    public IPersistentJobQueue GetJobQueue(HangfireDbContext connection) => new WakingJobQueue(new SQLiteJobQueue(connection, options), wakeup);

    public IPersistentJobQueueMonitoringApi GetJobQueueMonitoringApi(HangfireDbContext connection) => new SQLiteJobQueueMonitoringApi(connection);

    private sealed class WakingJobQueue(IPersistentJobQueue inner, QueueWakeup wakeup) : IPersistentJobQueue
    {
        public IFetchedJob Dequeue(string[] queues, CancellationToken cancellationToken)
        {
            while (true)
            {
                // the inner loop checks its token only before a poll and after the wait, never between fetching a job
                // and returning it, so cancelling it for a wake-up cannot lose a fetched job
                using var woken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wakeup.Next);
                try
                {
                    return inner.Dequeue(queues, woken.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // woken: poll again now
                }
            }
        }

        public void Enqueue(string queue, string jobId) => inner.Enqueue(queue, jobId);
    }
}
