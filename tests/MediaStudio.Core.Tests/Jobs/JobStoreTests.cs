using MediaStudio.Core.Jobs;
using MediaStudio.Core.Owners;
using MediaStudio.Core.Tests.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace MediaStudio.Core.Tests.Jobs;

public sealed class JobStoreTests
{
    public static TheoryData<string> Providers => [TestDatabase.Sqlite, TestDatabase.PostgreSql];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<T> WithStoreAsync<T>(TestDatabase db, Func<JobStore, Task<T>> action) =>
        db.InScopeAsync(services => action(services.GetRequiredService<JobStore>()));

    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);

    private static async Task<JobRecord?> StartAsync(TestDatabase db, Guid id, string worker)
    {
        var claim = await WithStoreAsync(db, store => store.TryStartAsync(id, worker, StaleAfter, Ct));
        return claim.Outcome == JobClaimOutcome.Claimed ? claim.Job : null;
    }

    private static Task<JobRecord> CreateAsync(TestDatabase db) =>
        WithStoreAsync(db, store => store.CreateAsync("text-to-image", Owner.Local, """{"prompt":"a red circle"}""", null, Ct));

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task CreateAsync_Twice_QueuesInOrderWithOwner(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, Ct);

        var first = await CreateAsync(db);
        var second = await CreateAsync(db);

        Assert.Equal(JobStatus.Queued, second.Status);
        Assert.Equal(Owner.Local, second.OwnerId);
        Assert.True(second.Position > first.Position);
        var listed = await WithStoreAsync(db, store => store.ListAsync(Owner.Local, JobStatus.Queued, 0, 10, Ct));
        Assert.Equal([second.Id, first.Id], listed.Select(j => j.Id));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TryStartAsync_WhileFirstAttemptIsAlive_SecondWorkerIsToldBusy(string provider)
    {
        var clock = new ManualClock();
        await using var db = await TestDatabase.CreateAsync(provider, Ct, clock);
        var job = await CreateAsync(db);
        await StartAsync(db, job.Id, "worker-a#1");
        clock.Advance(TimeSpan.FromSeconds(20));
        await WithStoreAsync(db, store => store.HeartbeatAsync(job.Id, "worker-a#1", Ct));
        clock.Advance(TimeSpan.FromSeconds(20)); // 40 s since the start, 20 s since the heartbeat

        var claim = await WithStoreAsync(db, store => store.TryStartAsync(job.Id, "worker-b#1", StaleAfter, Ct));

        Assert.Equal(JobClaimOutcome.BusyElsewhere, claim.Outcome);
        Assert.Equal("worker-a#1", claim.Job!.Worker);
        Assert.Equal(1, claim.Job.Attempts);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TryStartAsync_FirstAttemptHeartbeatStale_SecondWorkerTakesOverAndOnlyItFinishes(string provider)
    {
        var clock = new ManualClock();
        await using var db = await TestDatabase.CreateAsync(provider, Ct, clock);
        var job = await CreateAsync(db);
        var byA = await StartAsync(db, job.Id, "worker-a#1");
        clock.Advance(StaleAfter + TimeSpan.FromSeconds(1)); // worker-a died silently

        var byB = await StartAsync(db, job.Id, "worker-b#1");
        var reportA = await WithStoreAsync(db, store => store.ReportProgressAsync(job.Id, "worker-a#1", "denoising", 0.5, 3, null, Ct));
        var beatA = await WithStoreAsync(db, store => store.HeartbeatAsync(job.Id, "worker-a#1", Ct));
        var completeA = await WithStoreAsync(db, store => store.CompleteAsync(job.Id, "worker-a#1", Ct));
        var completeB = await WithStoreAsync(db, store => store.CompleteAsync(job.Id, "worker-b#1", Ct));
        var final = await WithStoreAsync(db, store => store.FindAsync(job.Id, Ct));

        Assert.NotNull(byA);
        Assert.Equal(2, byB!.Attempts);
        Assert.False(reportA); // a stale worker that wakes up learns it lost the job and stops
        Assert.False(beatA);
        Assert.False(completeA);
        Assert.True(completeB);
        Assert.Equal(JobStatus.Succeeded, final!.Status);
        Assert.Equal(1, final.Progress);
        Assert.Equal("worker-b#1", final.Worker);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TryStartAsync_AfterTwoStartsDiedUnfinished_QuarantinesAsFailed(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, Ct);
        var job = await CreateAsync(db);
        await StartAsync(db, job.Id, "worker-a");
        await WithStoreAsync(db, store => store.ReconcileInterruptedAsync("worker-a", Ct)); // worker-a crashed and restarted
        await StartAsync(db, job.Id, "worker-a");     // and crashed again
        await WithStoreAsync(db, store => store.ReconcileInterruptedAsync("worker-a", Ct));

        var third = await WithStoreAsync(db, store => store.TryStartAsync(job.Id, "worker-b", StaleAfter, Ct));
        var final = await WithStoreAsync(db, store => store.FindAsync(job.Id, Ct));

        Assert.Equal(JobClaimOutcome.NothingToDo, third.Outcome);
        Assert.Equal(JobStatus.Failed, final!.Status);
        Assert.StartsWith("quarantined", final.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RequestCancelAsync_QueuedJob_CancelsAtOnceAndNeverStarts(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, Ct);
        var job = await CreateAsync(db);

        var accepted = await WithStoreAsync(db, store => store.RequestCancelAsync(job.Id, Ct));
        var started = await StartAsync(db, job.Id, "worker-a");
        var final = await WithStoreAsync(db, store => store.FindAsync(job.Id, Ct));

        Assert.True(accepted);
        Assert.Null(started);
        Assert.Equal(JobStatus.Cancelled, final!.Status);
        Assert.NotNull(final.FinishedAt);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RequestCancelAsync_RunningJob_NextReportStopsWorkerThenCancelled(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, Ct);
        var job = await CreateAsync(db);
        await StartAsync(db, job.Id, "worker-a");

        await WithStoreAsync(db, store => store.RequestCancelAsync(job.Id, Ct));
        var keepGoing = await WithStoreAsync(db, store => store.ReportProgressAsync(job.Id, "worker-a", "denoising", 0.2, null, null, Ct));
        var cancelled = await WithStoreAsync(db, store => store.MarkCancelledAsync(job.Id, "worker-a", Ct));
        var again = await WithStoreAsync(db, store => store.RequestCancelAsync(job.Id, Ct));

        Assert.False(keepGoing);
        Assert.True(cancelled);
        Assert.False(again); // already final
        Assert.Equal(JobStatus.Cancelled, (await WithStoreAsync(db, store => store.FindAsync(job.Id, Ct)))!.Status);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ReconcileInterruptedAsync_OwnRowsOnly_MarksThemInterrupted(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, Ct);
        var mine = await CreateAsync(db);
        var theirs = await CreateAsync(db);
        await StartAsync(db, mine.Id, "host-1#attempt-1");
        await StartAsync(db, theirs.Id, "host-10#attempt-1");

        var reconciled = await WithStoreAsync(db, store => store.ReconcileInterruptedAsync("host-1", Ct));

        Assert.Equal(1, reconciled);
        Assert.Equal(JobStatus.Interrupted, (await WithStoreAsync(db, store => store.FindAsync(mine.Id, Ct)))!.Status);
        Assert.Equal(JobStatus.Running, (await WithStoreAsync(db, store => store.FindAsync(theirs.Id, Ct)))!.Status);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RetryAsync_FailedJob_RequeuesAtTheBackWithFreshBudget(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, Ct);
        var job = await CreateAsync(db);
        await StartAsync(db, job.Id, "worker-a");
        await WithStoreAsync(db, store => store.FailAsync(job.Id, "worker-a", "steps: must be between 1 and 200", Ct));
        var later = await CreateAsync(db);

        var retried = await WithStoreAsync(db, store => store.RetryAsync(job.Id, Ct));
        var final = await WithStoreAsync(db, store => store.FindAsync(job.Id, Ct));

        Assert.True(retried);
        Assert.Equal(JobStatus.Queued, final!.Status);
        Assert.Equal(0, final.Attempts);
        Assert.Null(final.Error);
        Assert.True(final.Position > later.Position);
        Assert.False(await WithStoreAsync(db, store => store.RetryAsync(later.Id, Ct))); // a queued job has nothing to retry
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task MoveAsync_TopUpDown_ReordersQueuedJobsAndNextStartFollowsTheOrder(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, Ct);
        var a = await CreateAsync(db);
        var b = await CreateAsync(db);
        var c = await CreateAsync(db);

        await WithStoreAsync(db, store => store.MoveAsync(c.Id, QueueMove.Top, Ct)); // c a b
        await WithStoreAsync(db, store => store.MoveAsync(a.Id, QueueMove.Down, Ct)); // c b a
        var order = (await WithStoreAsync(db, store => store.ListAsync(Owner.Local, JobStatus.Queued, 0, 10, Ct))).OrderBy(j => j.Position).Select(j => j.Id);
        var next = await WithStoreAsync(db, store => store.TryStartNextAsync(a.Id, ["text-to-image"], "worker-a#1", StaleAfter, Ct));
        var movedRunning = await WithStoreAsync(db, store => store.MoveAsync(c.Id, QueueMove.Down, Ct));

        Assert.Equal([c.Id, b.Id, a.Id], order);
        Assert.Equal(c.Id, next.Job!.Id); // a's ticket runs the head of the queue
        Assert.False(movedRunning);
    }
}
