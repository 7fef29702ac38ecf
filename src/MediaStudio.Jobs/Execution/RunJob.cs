using Hangfire;
using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;
using MediaStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MediaStudio.Jobs.Execution;

/// <summary>The one Hangfire job class: claims the studio job by id, runs its handler, records the outcome.</summary>
/// <remarks>Idempotent: a redelivered or retried run claims the row with a compare-and-set and finds finished work
/// finished. One retry covers transient faults; a job that dies twice is quarantined by <see cref="JobStore"/>.</remarks>
[AutomaticRetry(Attempts = JobStore.MaxStarts - 1, DelaysInSeconds = [5], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed partial class RunJob(
    IServiceScopeFactory scopes,
    IEnumerable<IJobHandler> handlers,
    WorkerIdentity worker,
    TimeProvider clock,
    ILogger<RunJob> logger)
{
    [JobDisplayName("studio job {0}")]
    public async Task RunAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        var job = await store.TryStartAsync(jobId, worker.Name, cancellationToken);
        if (job is null)
        {
            return; // finished, cancelled or quarantined already: nothing to do
        }

        var handler = handlers.FirstOrDefault(h => h.Kind == job.Kind);
        if (handler is null)
        {
            await store.FailAsync(jobId, worker.Name, $"no handler for job kind '{job.Kind}' on worker {worker.Name}", CancellationToken.None);
            return;
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        var progress = new JobProgressReporter(store, jobId, worker.Name, clock, attempt);
        var execution = new JobExecution(job, progress, db, scope.ServiceProvider.GetRequiredService<IBlobStore>(), clock);
        try
        {
            await handler.RunAsync(execution, attempt.Token);
            await store.CompleteAsync(jobId, worker.Name, CancellationToken.None);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the server is shutting down: Hangfire requeues the job and the next start claims the row again
            throw;
        }
        catch (OperationCanceledException) when (attempt.IsCancellationRequested)
        {
            var row = await store.FindAsync(jobId, CancellationToken.None);
            if (row is { CancelRequested: true })
            {
                await DeleteOutputsAsync(db, jobId);
                await store.MarkCancelledAsync(jobId, worker.Name, CancellationToken.None);
            }

            // otherwise another worker took the job over; it owns the outcome
        }
        catch (JobInputException e)
        {
            await DeleteOutputsAsync(db, jobId);
            await store.FailAsync(jobId, worker.Name, e.Message, CancellationToken.None);
        }
        catch (Exception e) when (job.Attempts < JobStore.MaxStarts)
        {
            LogRetrying(e, jobId, job.Attempts);
            await store.MarkInterruptedAsync(jobId, worker.Name, e.Message, CancellationToken.None);
            throw; // Hangfire retries once; the next start claims the interrupted row
        }
        catch (Exception e)
        {
            await DeleteOutputsAsync(db, jobId);
            await store.FailAsync(jobId, worker.Name, e.Message, CancellationToken.None);
            throw; // so the dashboard shows the failure too
        }
    }

    private static Task<int> DeleteOutputsAsync(StudioDbContext db, Guid jobId) =>
        db.Assets.Where(a => a.SourceJobId == jobId && a.Kind == AssetKind.Output).ExecuteDeleteAsync(CancellationToken.None);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} failed on attempt {Attempt}; it will be retried")]
    private partial void LogRetrying(Exception exception, Guid jobId, int attempt);
}
