using MediaStudio.Core.Jobs;
using MediaStudio.Core.Owners;
using MediaStudio.Core.Persistence;
using MediaStudio.Jobs.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaStudio.Jobs.Tests.Execution;

[Collection(nameof(QueueHostingTests))]
public sealed class StartupReconciliationTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("mediastudio-reconcile-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Start_AfterUncleanShutdownWithStartPaused_MarksOwnRowsInterruptedAndPausesQueue()
    {
        var settings = new Dictionary<string, string?>
        {
            ["MediaStudio:Storage:DataPath"] = _data,
            ["MediaStudio:Queue:StartPausedAfterCrash"] = "true",
            ["MediaStudio:Queue:WorkerName"] = "crashy",
        };
        var mine = Guid.NewGuid();
        var theirs = Guid.NewGuid();
        using (var before = StudioHost.Build(settings))
        {
            await using var scope = before.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
            await db.Database.MigrateAsync(Ct);
            db.Jobs.Add(Running(mine, $"{Environment.MachineName}/crashy#1"));
            db.Jobs.Add(Running(theirs, "other-machine/main#1"));
            await db.SaveChangesAsync(Ct);
        }

        using var host = StudioHost.Build(settings);
        await host.StartAsync(Ct);
        await using var check = host.Services.CreateAsyncScope();
        var store = check.ServiceProvider.GetRequiredService<JobStore>();
        var queue = await check.ServiceProvider.GetRequiredService<QueueControl>().GetAsync(Ct);

        Assert.Equal(JobStatus.Interrupted, (await store.FindAsync(mine, Ct))!.Status);
        Assert.Equal(JobStatus.Running, (await store.FindAsync(theirs, Ct))!.Status);
        Assert.True(queue.Paused);
        Assert.StartsWith("paused after an unclean shutdown", queue.Reason, StringComparison.Ordinal);
        await host.StopAsync(Ct);
    }

    private static JobRecord Running(Guid id, string worker) => new()
    {
        Id = id, Kind = "queue-probe", OwnerId = Owner.Local, SpecJson = """{"steps":1,"stepMilliseconds":1}""",
        Status = JobStatus.Running, Attempts = 1, Worker = worker, HeartbeatAt = DateTimeOffset.UnixEpoch,
        CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch,
    };
}
