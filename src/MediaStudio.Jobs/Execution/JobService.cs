using Hangfire;
using MediaStudio.Core.Jobs;
using MediaStudio.Jobs.Hosting;

namespace MediaStudio.Jobs.Execution;

/// <summary>Submits, cancels and retries studio jobs: the row first, then a Hangfire job that carries only its id.</summary>
/// <remarks>When two handlers claim one kind, the one registered last wins, as with any service registration.</remarks>
public sealed class JobService(JobStore store, IEnumerable<IJobHandler> handlers, IBackgroundJobClient hangfire, QueueWakeup wakeup)
{
    /// <summary>The largest spec accepted, in characters.</summary>
    public const int MaxSpecLength = 64 * 1024;

    /// <summary>Validates and queues a job.</summary>
    /// <exception cref="JobInputException">The kind is unknown or the spec is invalid; the message names each bad field.</exception>
    public async Task<JobRecord> SubmitAsync(string kind, string ownerId, string specJson, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(specJson);
        var handler = handlers.LastOrDefault(h => h.Kind == kind)
            ?? throw new JobInputException($"kind: unknown job kind '{kind}'; known kinds are {string.Join(", ", handlers.Select(h => h.Kind).Distinct().Order(StringComparer.Ordinal))}");
        if (specJson.Length > MaxSpecLength)
        {
            throw new JobInputException($"spec: {specJson.Length:N0} characters is more than the {MaxSpecLength:N0} allowed");
        }

        var problems = handler.Validate(specJson);
        if (problems.Count > 0)
        {
            throw new JobInputException(string.Join("; ", problems));
        }

        var job = await store.CreateAsync(kind, ownerId, specJson, parentId: null, cancellationToken);
        Enqueue(handler.Queue, job.Id);
        return job;
    }

    /// <summary>Cancels a queued job at once, a running one within a step.</summary>
    /// <returns>False when the job is already final.</returns>
    public Task<bool> CancelAsync(Guid id, CancellationToken cancellationToken) => store.RequestCancelAsync(id, cancellationToken);

    /// <summary>Queues a failed, cancelled or interrupted job again.</summary>
    /// <returns>False when the job cannot be retried in its current state.</returns>
    public async Task<bool> RetryAsync(Guid id, CancellationToken cancellationToken)
    {
        var job = await store.FindAsync(id, cancellationToken);
        var handler = job is null ? null : handlers.LastOrDefault(h => h.Kind == job.Kind);
        if (handler is null || !await store.RetryAsync(id, cancellationToken))
        {
            return false;
        }

        Enqueue(handler.Queue, id);
        return true;
    }

    // a Hangfire ticket that carries only the id; then this process's idle workers are woken, the enqueue having committed
    private void Enqueue(string queue, Guid id)
    {
        hangfire.Enqueue<RunJob>(queue, run => run.RunAsync(id, CancellationToken.None));
        wakeup.Signal();
    }
}
