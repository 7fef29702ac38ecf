using Hangfire;
using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;
using MediaStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MediaStudio.Jobs.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaStudio.Jobs.Execution;

/// <summary>The one Hangfire job class: claims the studio job by id, runs its handler, records the outcome.</summary>
/// <remarks>Idempotent: a redelivered or retried run claims the row with a compare-and-set and finds finished work
/// finished. One retry covers transient faults; a job that dies twice is quarantined by <see cref="JobStore"/>.
/// <para>An attempt ends with the host, not with Hangfire's job token: Hangfire also fires that token when it hands the
/// same ticket to another worker after the storage's invisibility timeout (SQLite cannot extend it) and the job's
/// state changes under the first performer. The studio's own claim already decides who runs a job (the second
/// delivery finds it busy and watches it), so an abort there would only orphan a live attempt until it looked dead
/// and, on a second start, quarantine a healthy job.</para></remarks>
[AutomaticRetry(Attempts = JobStore.MaxStarts - 1, DelaysInSeconds = [5], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed partial class RunJob(
    IServiceScopeFactory scopes,
    IEnumerable<IJobHandler> handlers,
    IBackgroundJobClient hangfire,
    IOptions<QueueOptions> queue,
    WorkerIdentity worker,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<RunJob> logger)
{
    [JobDisplayName("studio queue ticket {0}")]
    public async Task RunAsync(Guid ticketId, CancellationToken cancellationToken)
    {
        // from the claim on, only the host stopping ends the attempt; Hangfire's token is not used: see the remarks
        var stopping = lifetime.ApplicationStopping;
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        var ticketKind = (await store.FindAsync(ticketId, cancellationToken))?.Kind;
        var ticketQueue = handlers.LastOrDefault(h => h.Kind == ticketKind)?.Queue ?? Queues.Default;
        if ((await scope.ServiceProvider.GetRequiredService<QueueControl>().GetAsync(cancellationToken)).Paused)
        {
            // paused: keep the ticket, look again later; running jobs are not affected
            hangfire.Schedule<RunJob>(ticketQueue, run => run.RunAsync(ticketId, CancellationToken.None), queue.Value.PausedRecheckInterval);
            return;
        }

        // each attempt has its own name, so two threads of one process can never both own a row
        var attemptName = $"{worker.Name}#{Guid.NewGuid():N}";
        var kinds = handlers.Where(h => h.Queue == ticketQueue).Select(h => h.Kind).ToList();
        var claim = await store.TryStartNextAsync(ticketId, kinds, attemptName, queue.Value.StaleAfter, stopping);
        if (claim is { Outcome: JobClaimOutcome.BusyElsewhere, Job: { } busy })
        {
            // Hangfire handed us a job a live attempt still runs (SQLite cannot extend its invisibility timeout):
            // look again once that attempt's heartbeat could have gone stale, in case its worker dies
            hangfire.Schedule<RunJob>(ticketQueue, run => run.RunAsync(busy.Id, CancellationToken.None), queue.Value.StaleAfter);
            return;
        }

        if (claim is not { Outcome: JobClaimOutcome.Claimed, Job: { } job })
        {
            return; // finished, cancelled or quarantined already: nothing to do
        }

        // the ticket runs the most urgent startable job of its queue, which need not be its own
        var jobId = job.Id;
        var handler = handlers.LastOrDefault(h => h.Kind == job.Kind);
        if (handler is null)
        {
            await store.FailAsync(jobId, attemptName, $"no handler for job kind '{job.Kind}' on worker {worker.Name}", CancellationToken.None);
            return;
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = BeatAsync(jobId, attemptName, attempt, stopHeartbeat.Token);
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        var progress = new JobProgressReporter(store, jobId, attemptName, clock, attempt);
        var execution = new JobExecution(job, progress, db, scope.ServiceProvider.GetRequiredService<IBlobStore>(), clock);
        try
        {
            await handler.RunAsync(execution, attempt.Token);
            await store.CompleteAsync(jobId, attemptName, CancellationToken.None);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // the host is shutting down: Hangfire requeues the job and the next start claims the row again
            throw;
        }
        catch (OperationCanceledException) when (attempt.IsCancellationRequested)
        {
            var row = await store.FindAsync(jobId, CancellationToken.None);
            if (row is { CancelRequested: true })
            {
                await DeleteOutputsAsync(db, jobId);
                await store.MarkCancelledAsync(jobId, attemptName, CancellationToken.None);
            }

            // otherwise another worker took the job over; it owns the outcome
        }
        catch (JobInputException e)
        {
            await DeleteOutputsAsync(db, jobId);
            await store.FailAsync(jobId, attemptName, e.Message, CancellationToken.None);
        }
        catch (Exception e) when (job.Attempts < JobStore.MaxStarts)
        {
            LogRetrying(e, jobId, job.Attempts);
            await store.MarkInterruptedAsync(jobId, attemptName, e.Message, CancellationToken.None);
            throw; // Hangfire retries once; the next start claims the interrupted row
        }
        catch (Exception e)
        {
            await DeleteOutputsAsync(db, jobId);
            await store.FailAsync(jobId, attemptName, e.Message, CancellationToken.None);
            throw; // so the dashboard shows the failure too
        }
        finally
        {
            await stopHeartbeat.CancelAsync();
            await heartbeat;
        }
    }

    // Runs beside the handler with its own scope (a DbContext is not thread-safe); a lost job or a cancel request
    // cancels the attempt even when the handler is inside a long step that reports no progress.
    private async Task BeatAsync(Guid jobId, string attemptName, CancellationTokenSource attempt, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(queue.Value.HeartbeatInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await using var scope = scopes.CreateAsyncScope();
                if (!await scope.ServiceProvider.GetRequiredService<JobStore>().HeartbeatAsync(jobId, attemptName, stop))
                {
                    await attempt.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the attempt is over
        }
    }

    private static Task<int> DeleteOutputsAsync(StudioDbContext db, Guid jobId) =>
        db.Assets.Where(a => a.SourceJobId == jobId && a.Kind == AssetKind.Output).ExecuteDeleteAsync(CancellationToken.None);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} failed on attempt {Attempt}; it will be retried")]
    private partial void LogRetrying(Exception exception, Guid jobId, int attempt);
}
