using System.Linq.Expressions;
using MediaStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace MediaStudio.Core.Jobs;

/// <summary>Reads and changes job rows. Every status change is a compare-and-set, so two workers (or a worker and
/// a cancel) can never both win a transition.</summary>
public sealed class JobStore(StudioDbContext db, TimeProvider clock)
{
    /// <summary>How many starts a job gets before a job that keeps killing its worker is quarantined.</summary>
    public const int MaxStarts = 2;

    /// <summary>Creates a queued job at the back of the queue.</summary>
    public async Task<JobRecord> CreateAsync(string kind, string ownerId, string specJson, Guid? parentId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var job = new JobRecord
        {
            Id = Guid.CreateVersion7(now),
            Kind = kind,
            OwnerId = ownerId,
            SpecJson = specJson,
            ParentId = parentId,
            Status = JobStatus.Queued,
            Position = await NextPositionAsync(cancellationToken),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        return job;
    }

    /// <summary>Finds a job without tracking it.</summary>
    public Task<JobRecord?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellationToken);

    /// <summary>Lists an owner's jobs, newest first.</summary>
    public async Task<IReadOnlyList<JobRecord>> ListAsync(string ownerId, JobStatus? status, int skip, int take, CancellationToken cancellationToken) =>
        await Page(ownerId, status, skip, take).ToListAsync(cancellationToken);

    /// <summary>Returns the query for one page of an owner's jobs, newest first, for callers that join more to it.</summary>
    public IQueryable<JobRecord> Page(string ownerId, JobStatus? status, int skip, int take)
    {
        var query = db.Jobs.AsNoTracking().Where(j => j.OwnerId == ownerId);
        if (status is { } wanted)
        {
            query = query.Where(j => j.Status == wanted);
        }

        return query.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id).Skip(skip).Take(take);
    }

    /// <summary>Claims a job for <paramref name="worker"/>.</summary>
    /// <param name="id">The job.</param>
    /// <param name="worker">The attempt's unique name.</param>
    /// <param name="staleAfter">How old a running attempt's heartbeat must be before that attempt counts as dead.</param>
    /// <param name="cancellationToken">Cancels the claim.</param>
    /// <returns>The outcome: claimed (with the row), busy elsewhere (a live attempt runs it), or nothing to do (final,
    /// cancelled, or quarantined now because earlier starts died without finishing).</returns>
    public async Task<JobClaim> TryStartAsync(Guid id, string worker, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var staleBefore = now - staleAfter;

        // a job whose earlier starts all died (interrupted, or running with a dead heartbeat) is not re-run forever
        var quarantined = await db.Jobs
            .Where(j => j.Id == id && j.Attempts >= MaxStarts)
            .Where(DiedUnfinished(staleBefore))
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(j => j.Status, JobStatus.Failed)
                    .SetProperty(j => j.Error, $"quarantined: the job stopped its worker {MaxStarts} times without finishing")
                    .SetProperty(j => j.FinishedAt, now)
                    .SetProperty(j => j.UpdatedAt, now),
                cancellationToken);
        if (quarantined > 0)
        {
            return JobClaim.NothingToDo;
        }

        // queued, interrupted, or running on an attempt whose heartbeat stopped (its worker died)
        var claimed = await db.Jobs
            .Where(j => j.Id == id)
            .Where(Startable(staleBefore))
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(j => j.Status, JobStatus.Running)
                    .SetProperty(j => j.Attempts, j => j.Attempts + 1)
                    .SetProperty(j => j.Worker, worker)
                    .SetProperty(j => j.StartedAt, now)
                    .SetProperty(j => j.HeartbeatAt, now)
                    .SetProperty(j => j.Stage, "starting")
                    .SetProperty(j => j.Error, (string?)null)
                    .SetProperty(j => j.UpdatedAt, now),
                cancellationToken);
        if (claimed == 1)
        {
            return new JobClaim(JobClaimOutcome.Claimed, await FindAsync(id, cancellationToken));
        }

        await CancelIfRequestedAsync(id, cancellationToken);
        var row = await FindAsync(id, cancellationToken);
        return row is { Status: JobStatus.Running }
            ? new JobClaim(JobClaimOutcome.BusyElsewhere, row)
            : JobClaim.NothingToDo;
    }

    /// <summary>Claims the most urgent startable job among <paramref name="kinds"/> for <paramref name="worker"/>: the lowest
    /// <see cref="JobRecord.Position"/> among queued, interrupted and dead-running jobs. Any Hangfire ticket of a queue
    /// may run any of its jobs, which is what lets a person reorder the queue.</summary>
    /// <param name="ticket">The job whose Hangfire job is running; when nothing else is startable, it is watched if busy.</param>
    /// <param name="kinds">The job kinds served by the ticket's queue.</param>
    /// <param name="worker">The attempt's unique name.</param>
    /// <param name="staleAfter">How old a running attempt's heartbeat must be before that attempt counts as dead.</param>
    /// <param name="cancellationToken">Cancels the claim.</param>
    public async Task<JobClaim> TryStartNextAsync(Guid ticket, IReadOnlyCollection<string> kinds, string worker, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        // a few rounds: another worker may win the race for a candidate
        for (var round = 0; round < 5; round++)
        {
            var staleBefore = clock.GetUtcNow() - staleAfter;
            var candidate = await db.Jobs.AsNoTracking()
                .Where(j => kinds.Contains(j.Kind))
                .Where(Startable(staleBefore))
                .OrderBy(j => j.Position).ThenBy(j => j.CreatedAt)
                .Select(j => (Guid?)j.Id)
                .FirstOrDefaultAsync(cancellationToken);
            if (candidate is not { } id)
            {
                break;
            }

            var claim = await TryStartAsync(id, worker, staleAfter, cancellationToken);
            if (claim.Outcome == JobClaimOutcome.Claimed)
            {
                return claim;
            }
        }

        // nothing startable: report the ticket's own job, so a live run elsewhere keeps a watcher
        return await TryStartAsync(ticket, worker, staleAfter, cancellationToken);
    }

    /// <summary>Moves a queued job within the queue.</summary>
    /// <returns>False when the job is not queued.</returns>
    public async Task<bool> MoveAsync(Guid id, QueueMove move, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var job = await db.Jobs.SingleOrDefaultAsync(j => j.Id == id && j.Status == JobStatus.Queued, cancellationToken);
        if (job is null)
        {
            return false;
        }

        var queued = db.Jobs.Where(j => j.Status == JobStatus.Queued && j.Id != id);
        var neighbour = move switch
        {
            QueueMove.Up => await queued.Where(j => j.Position < job.Position).OrderByDescending(j => j.Position).FirstOrDefaultAsync(cancellationToken),
            QueueMove.Down => await queued.Where(j => j.Position > job.Position).OrderBy(j => j.Position).FirstOrDefaultAsync(cancellationToken),
            _ => null,
        };
        if (move == QueueMove.Top)
        {
            var first = await db.Jobs.Where(j => j.Id != id).MinAsync(j => (long?)j.Position, cancellationToken) ?? job.Position;
            job.Position = Math.Min(job.Position, first - 1);
        }
        else if (neighbour is not null)
        {
            (job.Position, neighbour.Position) = (neighbour.Position, job.Position);
            neighbour.UpdatedAt = clock.GetUtcNow();
        }

        job.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return true;
    }

    /// <summary>Proves the attempt is alive.</summary>
    /// <returns>False when the attempt no longer owns the job or a cancel was requested: the worker should stop.</returns>
    public async Task<bool> HeartbeatAsync(Guid id, string worker, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await db.Jobs
            .Where(j => j.Id == id && j.Status == JobStatus.Running && j.Worker == worker && !j.CancelRequested)
            .ExecuteUpdateAsync(set => set.SetProperty(j => j.HeartbeatAt, now), cancellationToken) == 1;
    }

    /// <summary>Records progress of a running job.</summary>
    /// <returns>False when the job is no longer running on <paramref name="worker"/> or a cancel was requested: the worker should stop.</returns>
    public async Task<bool> ReportProgressAsync(Guid id, string worker, string stage, double progress, double? etaSeconds, Guid? previewAssetId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var updated = await db.Jobs
            .Where(j => j.Id == id && j.Status == JobStatus.Running && j.Worker == worker && !j.CancelRequested)
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(j => j.Stage, stage)
                    .SetProperty(j => j.Progress, Math.Clamp(progress, 0, 1))
                    .SetProperty(j => j.EtaSeconds, etaSeconds)
                    .SetProperty(j => j.PreviewAssetId, j => previewAssetId ?? j.PreviewAssetId)
                    .SetProperty(j => j.HeartbeatAt, now)
                    .SetProperty(j => j.UpdatedAt, now),
                cancellationToken);
        return updated == 1;
    }

    /// <summary>Marks a running job succeeded.</summary>
    public Task<bool> CompleteAsync(Guid id, string worker, CancellationToken cancellationToken) =>
        FinishAsync(id, worker, JobStatus.Succeeded, error: null, cancellationToken);

    /// <summary>Marks a running job failed with a message a person can act on.</summary>
    public Task<bool> FailAsync(Guid id, string worker, string error, CancellationToken cancellationToken) =>
        FinishAsync(id, worker, JobStatus.Failed, error.Length > 4000 ? error[..4000] : error, cancellationToken);

    /// <summary>Asks a job to stop: a queued job is cancelled at once, a running one when its worker next checks.</summary>
    /// <returns>False when the job is already final.</returns>
    public async Task<bool> RequestCancelAsync(Guid id, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var flagged = await db.Jobs
            .Where(j => j.Id == id && !(j.Status == JobStatus.Succeeded || j.Status == JobStatus.Failed || j.Status == JobStatus.Cancelled))
            .ExecuteUpdateAsync(set => set.SetProperty(j => j.CancelRequested, true).SetProperty(j => j.UpdatedAt, now), cancellationToken);
        await db.Jobs
            .Where(j => j.Id == id && j.CancelRequested && (j.Status == JobStatus.Queued || j.Status == JobStatus.Interrupted))
            .ExecuteUpdateAsync(
                set => set.SetProperty(j => j.Status, JobStatus.Cancelled).SetProperty(j => j.FinishedAt, now).SetProperty(j => j.UpdatedAt, now),
                cancellationToken);
        return flagged == 1;
    }

    /// <summary>Ends a running job whose cancel was honoured.</summary>
    public async Task<bool> MarkCancelledAsync(Guid id, string worker, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await db.Jobs
            .Where(j => j.Id == id && j.Status == JobStatus.Running && j.Worker == worker)
            .ExecuteUpdateAsync(
                set => set.SetProperty(j => j.Status, JobStatus.Cancelled).SetProperty(j => j.Stage, "cancelled")
                    .SetProperty(j => j.FinishedAt, now).SetProperty(j => j.UpdatedAt, now),
                cancellationToken) == 1;
    }

    /// <summary>Puts a failed, cancelled or interrupted job back at the end of the queue with a fresh attempt budget.</summary>
    public async Task<bool> RetryAsync(Guid id, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var position = await NextPositionAsync(cancellationToken);
        return await db.Jobs
            .Where(j => j.Id == id && (j.Status == JobStatus.Failed || j.Status == JobStatus.Cancelled || j.Status == JobStatus.Interrupted))
            .ExecuteUpdateAsync(
                set => set.SetProperty(j => j.Status, JobStatus.Queued).SetProperty(j => j.Attempts, 0)
                    .SetProperty(j => j.Error, (string?)null).SetProperty(j => j.CancelRequested, false)
                    .SetProperty(j => j.Progress, 0).SetProperty(j => j.Stage, (string?)null)
                    .SetProperty(j => j.Position, position).SetProperty(j => j.FinishedAt, (DateTimeOffset?)null)
                    .SetProperty(j => j.UpdatedAt, now),
                cancellationToken) == 1;
    }

    /// <summary>Hands a running job back after a transient fault, so the next start (a retry) can claim it.</summary>
    public async Task<bool> MarkInterruptedAsync(Guid id, string worker, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var message = reason.Length > 4000 ? reason[..4000] : reason;
        return await db.Jobs
            .Where(j => j.Id == id && j.Status == JobStatus.Running && j.Worker == worker)
            .ExecuteUpdateAsync(
                set => set.SetProperty(j => j.Status, JobStatus.Interrupted).SetProperty(j => j.Stage, "retrying")
                    .SetProperty(j => j.Error, message).SetProperty(j => j.UpdatedAt, now),
                cancellationToken) == 1;
    }

    /// <summary>Marks the rows a crashed process left running as interrupted, so they run again or are quarantined.</summary>
    /// <param name="worker">The stable name of the worker that is starting; only its own rows (attempts named
    /// <c>worker</c> or <c>worker#attempt</c>) are touched.</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    /// <returns>How many rows were reconciled.</returns>
    public Task<int> ReconcileInterruptedAsync(string worker, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return db.Jobs
            .Where(j => j.Status == JobStatus.Running && (j.Worker == worker || j.Worker!.StartsWith(worker + "#")))
            .ExecuteUpdateAsync(
                set => set.SetProperty(j => j.Status, JobStatus.Interrupted).SetProperty(j => j.Stage, "interrupted")
                    .SetProperty(j => j.UpdatedAt, now),
                cancellationToken);
    }

    private async Task<bool> FinishAsync(Guid id, string worker, JobStatus status, string? error, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await db.Jobs
            .Where(j => j.Id == id && j.Status == JobStatus.Running && j.Worker == worker)
            .ExecuteUpdateAsync(
                set => set.SetProperty(j => j.Status, status).SetProperty(j => j.Error, error)
                    .SetProperty(j => j.Progress, j => status == JobStatus.Succeeded ? 1 : j.Progress)
                    .SetProperty(j => j.Stage, status == JobStatus.Succeeded ? "done" : "failed")
                    .SetProperty(j => j.EtaSeconds, (double?)null)
                    .SetProperty(j => j.FinishedAt, now).SetProperty(j => j.UpdatedAt, now),
                cancellationToken) == 1;
    }

    private Task<int> CancelIfRequestedAsync(Guid id, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return db.Jobs
            .Where(j => j.Id == id && j.CancelRequested && !(j.Status == JobStatus.Succeeded || j.Status == JobStatus.Failed || j.Status == JobStatus.Cancelled))
            .ExecuteUpdateAsync(
                set => set.SetProperty(j => j.Status, JobStatus.Cancelled).SetProperty(j => j.FinishedAt, now).SetProperty(j => j.UpdatedAt, now),
                cancellationToken);
    }

    // an attempt that will not finish: interrupted, or running with a heartbeat older than staleBefore (its worker died)
    private static Expression<Func<JobRecord, bool>> DiedUnfinished(DateTimeOffset staleBefore) =>
        j => j.Status == JobStatus.Interrupted || (j.Status == JobStatus.Running && (j.HeartbeatAt == null || j.HeartbeatAt < staleBefore));

    // what a worker may claim: queued, or an attempt that died unfinished, unless a cancel was requested
    private static Expression<Func<JobRecord, bool>> Startable(DateTimeOffset staleBefore) =>
        j => !j.CancelRequested && (j.Status == JobStatus.Queued || j.Status == JobStatus.Interrupted
            || (j.Status == JobStatus.Running && (j.HeartbeatAt == null || j.HeartbeatAt < staleBefore)));

    private async Task<long> NextPositionAsync(CancellationToken cancellationToken) =>
        (await db.Jobs.MaxAsync(j => (long?)j.Position, cancellationToken) ?? 0) + 1;
}
