using Hangfire;
using MediaStudio.Core.Hosting;
using MediaStudio.Core.Jobs;
using MediaStudio.Core.Persistence;
using MediaStudio.Jobs.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

using MediaStudio.Tests.Shared;

namespace MediaStudio.Jobs.Tests.Hosting;

// Hangfire keeps process-wide state (JobStorage.Current), so these hosts run one at a time.
[Collection(nameof(QueueHostingTests))]
[CollectionDefinition(nameof(QueueHostingTests), DisableParallelization = true)]
public sealed class QueueHostingTests : IDisposable
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);
    private readonly string _data = Directory.CreateTempSubdirectory("mediastudio-jobs-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task AddJobs_SqliteDefault_InProcessWorkerRunsEnqueuedJob()
    {
        using var host = StudioHost.Build(new Dictionary<string, string?> { ["MediaStudio:Storage:DataPath"] = _data });
        await host.StartAsync(TestContext.Current.CancellationToken);
        var key = Guid.NewGuid().ToString("N");

        host.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(() => SignalJob.RunAsync(key, CancellationToken.None));
        var workerThread = await SignalJob.WaitAsync(key).WaitAsync(JobTimeout, TestContext.Current.CancellationToken);

        Assert.NotEmpty(workerThread);
        Assert.True(File.Exists(Path.Combine(_data, "hangfire.db")));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task SubmitAsync_SqliteWorkersIdleOnATenMinutePoll_WakesThemAtOnce()
    {
        var settings = new Dictionary<string, string?>
        {
            ["MediaStudio:Storage:DataPath"] = _data,
            ["MediaStudio:Queue:PollInterval"] = "00:10:00",
        };
        using var host = StudioHost.Build(settings);
        await host.StartAsync(TestContext.Current.CancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken); // every worker has polled once and waits

        var job = await host.SubmitAsync(QueueProbeHandler.KindName, """{"steps":1,"stepMilliseconds":0}""");
        var done = await host.WaitFinalAsync(job.Id); // fails after two minutes, long before the next poll

        Assert.Equal(JobStatus.Succeeded, done.Status);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task HealthChecks_EmbeddedDefaults_ReportEveryDependencyHealthy()
    {
        using var host = StudioHost.Build(new Dictionary<string, string?> { ["MediaStudio:Storage:DataPath"] = _data });
        await host.StartAsync(TestContext.Current.CancellationToken);

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["database", "ffmpeg", "queue", "torch"], report.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.All(report.Entries.Values, entry => Assert.Equal(HealthStatus.Healthy, entry.Status));
        Assert.StartsWith("ffmpeg version", report.Entries["ffmpeg"].Description, StringComparison.Ordinal);
        Assert.Equal("SQLite, schema current", report.Entries["database"].Description);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AddJobs_PostgreSqlStorage_SharedQueueRunsEnqueuedJob()
    {
        var connection = await TestPostgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        using var host = StudioHost.Build(new Dictionary<string, string?>
        {
            ["MediaStudio:Storage:DataPath"] = _data,
            ["MediaStudio:Storage:Database"] = "PostgreSql",
            ["MediaStudio:Storage:ConnectionString"] = connection,
            ["MediaStudio:Queue:Storage"] = "PostgreSql",
            ["MediaStudio:Queue:ConnectionString"] = connection,
        });
        await host.StartAsync(TestContext.Current.CancellationToken);
        var key = Guid.NewGuid().ToString("N");

        host.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(() => SignalJob.RunAsync(key, CancellationToken.None));
        await SignalJob.WaitAsync(key).WaitAsync(JobTimeout, TestContext.Current.CancellationToken);

        Assert.Contains("PostgreSqlStorage", host.Services.GetRequiredService<JobStorage>().GetType().Name, StringComparison.Ordinal);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AddCore_PostgreSql_CreatesSchemaAndRoundTripsJobRow()
    {
        var connection = await TestPostgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        using var host = StudioHost.Build(new Dictionary<string, string?>
        {
            ["MediaStudio:Storage:DataPath"] = _data,
            ["MediaStudio:Storage:Database"] = "PostgreSql",
            ["MediaStudio:Storage:ConnectionString"] = connection,
            ["MediaStudio:Queue:RunWorker"] = "false",
        });
        await host.StartAsync(TestContext.Current.CancellationToken);
        var id = Guid.NewGuid();

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
            db.Jobs.Add(new JobRecord { Id = id, Kind = "probe", OwnerId = "local", SpecJson = "{}", Status = JobStatus.Queued, CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var row = await scope.ServiceProvider.GetRequiredService<StudioDbContext>().Jobs.SingleAsync(j => j.Id == id, TestContext.Current.CancellationToken);
            Assert.Equal(JobStatus.Queued, row.Status);
            Assert.Equal("probe", row.Kind);
        }

        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void AddJobs_PostgreSqlWithoutConnectionString_ThrowsOneLineConfigurationError()
    {
        var error = Assert.Throws<StudioConfigurationException>(() => StudioHost.Build(new Dictionary<string, string?>
        {
            ["MediaStudio:Storage:DataPath"] = _data,
            ["MediaStudio:Queue:Storage"] = "PostgreSql",
        }));

        Assert.Contains("MediaStudio:Queue:ConnectionString is empty", error.Message, StringComparison.Ordinal);
    }
}
