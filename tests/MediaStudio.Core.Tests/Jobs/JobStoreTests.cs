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
    public async Task TryStartAsync_RedeliveredToSecondWorker_OnlyTheSecondCanReportAndFinish(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, Ct);
        var job = await CreateAsync(db);

        var byA = await WithStoreAsync(db, store => store.TryStartAsync(job.Id, "worker-a", Ct));
        var byB = await WithStoreAsync(db, store => store.TryStartAsync(job.Id, "worker-b", Ct));
        var reportA = await WithStoreAsync(db, store => store.ReportProgressAsync(job.Id, "worker-a", "denoising", 0.5, 3, null, Ct));
        var completeA = await WithStoreAsync(db, store => store.CompleteAsync(job.Id, "worker-a", Ct));
        var completeB = await WithStoreAsync(db, store => store.CompleteAsync(job.Id, "worker-b", Ct));
        var final = await WithStoreAsync(db, store => store.FindAsync(job.Id, Ct));

        Assert.NotNull(byA);
        Assert.Equal(2, byB!.Attempts);
        Assert.False(reportA); // the stale worker learns it lost the job and stops
        Assert.False(completeA);
        Assert.True(completeB);
        Assert.Equal(JobStatus.Succeeded, final!.Status);
        Assert.Equal(1, final.Progress);
        Assert.Equal("worker-b", final.Worker);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TryStartAsync_AfterTwoStartsDiedUnfinished_QuarantinesAsFailed(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, Ct);
        var job = await CreateAsync(db);
        await WithStoreAsync(db, store => store.TryStartAsync(job.Id, "worker-a", Ct));
        await WithStoreAsync(db, store => store.ReconcileInterruptedAsync("worker-a", Ct)); // worker-a crashed and restarted
        await WithStoreAsync(db, store => store.TryStartAsync(job.Id, "worker-a", Ct));     // and crashed again

        var third = await WithStoreAsync(db, store => store.TryStartAsync(job.Id, "worker-b", Ct));
        var final = await WithStoreAsync(db, store => store.FindAsync(job.Id, Ct));

        Assert.Null(third);
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
        var started = await WithStoreAsync(db, store => store.TryStartAsync(job.Id, "worker-a", Ct));
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
        await WithStoreAsync(db, store => store.TryStartAsync(job.Id, "worker-a", Ct));

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
        await WithStoreAsync(db, store => store.TryStartAsync(mine.Id, "host-1", Ct));
        await WithStoreAsync(db, store => store.TryStartAsync(theirs.Id, "host-2", Ct));

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
        await WithStoreAsync(db, store => store.TryStartAsync(job.Id, "worker-a", Ct));
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
}
