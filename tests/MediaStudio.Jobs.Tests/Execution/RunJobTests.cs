using System.Text.Json;
using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;
using MediaStudio.Core.Owners;
using MediaStudio.Core.Persistence;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Tests.Hosting;
using MediaStudio.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MediaStudio.Jobs.Tests.Execution;

// real Hangfire server on SQLite, real database, real blob store; only the job kind is a test one
[Collection(nameof(QueueHostingTests))]
public sealed class RunJobTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("mediastudio-run-").FullName;
    private IHost? _host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IServiceProvider Services => _host!.Services;

    public async ValueTask InitializeAsync()
    {
        _host = StudioHost.Build(
            new Dictionary<string, string?> { ["MediaStudio:Storage:DataPath"] = _data, ["MediaStudio:Queue:PausedRecheckInterval"] = "00:00:00.500" },
            services => services.AddSingleton<IJobHandler, StepsHandler>());
        await _host.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host!.StopAsync(CancellationToken.None);
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Submit_ValidJob_SucceedsWithOneOutputAndFullProgress()
    {
        var job = await SubmitAsync(new StepsSpec("ok", Steps: 3, StepMilliseconds: 10));

        var final = await WaitFinalAsync(job.Id);
        var outputs = await OutputsAsync(job.Id);

        Assert.Equal(JobStatus.Succeeded, final.Status);
        Assert.Equal(1, final.Progress);
        Assert.Equal(1, final.Attempts);
        var output = Assert.Single(outputs);
        Assert.Equal(Owner.Local, output.OwnerId);
        await using var bytes = Services.GetRequiredService<IBlobStore>().OpenRead(output.Sha256);
        Assert.Equal("done ok in 3 steps", await new StreamReader(bytes).ReadToEndAsync(Ct));
    }

    [Fact]
    public async Task Cancel_RunningJob_StopsWithinAStepAndLeavesNoOutput()
    {
        var job = await SubmitAsync(new StepsSpec("cancel", Steps: 200, StepMilliseconds: 100));
        await WaitAsync(job.Id, j => j.Status == JobStatus.Running && j.Progress > 0);

        await InScopeAsync(s => s.GetRequiredService<JobService>().CancelAsync(job.Id, Ct));
        var stepAtCancel = StepsHandler.LastStep[job.Id];
        var final = await WaitFinalAsync(job.Id);

        Assert.Equal(JobStatus.Cancelled, final.Status);
        Assert.Empty(await OutputsAsync(job.Id));
        // the reporter writes at most every 500 ms, so the loop sees the cancel within ~6 steps of 100 ms
        Assert.InRange(StepsHandler.LastStep[job.Id] - stepAtCancel, 0, 10);
        Assert.True(StepsHandler.LastStep[job.Id] < 200);
    }

    [Fact]
    public async Task Run_TransientFaultOnce_RetriedAutomaticallyAndSucceeds()
    {
        var job = await SubmitAsync(new StepsSpec("flaky-" + Guid.NewGuid().ToString("N"), Steps: 2, StepMilliseconds: 10, FailTimes: 1));

        var final = await WaitFinalAsync(job.Id, TimeSpan.FromSeconds(90));

        Assert.Equal(JobStatus.Succeeded, final.Status);
        Assert.Equal(2, final.Attempts);
        Assert.Single(await OutputsAsync(job.Id));
    }

    [Fact]
    public async Task Run_BadInput_FailsAtOnceWithItsMessageAndNoRetry()
    {
        var job = await SubmitAsync(new StepsSpec("bad", Steps: 2, StepMilliseconds: 10, BadInput: true));

        var final = await WaitFinalAsync(job.Id);

        Assert.Equal(JobStatus.Failed, final.Status);
        Assert.Equal("prompt: contains nothing to draw", final.Error);
        Assert.Equal(1, final.Attempts);
        Assert.Empty(await OutputsAsync(job.Id));
    }

    [Fact]
    public async Task Retry_FailedJob_RunsAgainToSuccess()
    {
        var key = "retry-" + Guid.NewGuid().ToString("N");
        var job = await SubmitAsync(new StepsSpec(key, Steps: 1, StepMilliseconds: 10, FailTimes: 2)); // fails both automatic starts
        Assert.Equal(JobStatus.Failed, (await WaitFinalAsync(job.Id, TimeSpan.FromSeconds(90))).Status);

        var accepted = await InScopeAsync(s => s.GetRequiredService<JobService>().RetryAsync(job.Id, Ct));
        var final = await WaitFinalAsync(job.Id, TimeSpan.FromSeconds(90));

        Assert.True(accepted);
        Assert.Equal(JobStatus.Succeeded, final.Status);
        Assert.Single(await OutputsAsync(job.Id));
    }

    [Fact]
    public async Task Pause_QueuedJob_WaitsUntilResumedThenRuns()
    {
        await InScopeAsync(async s => { await s.GetRequiredService<QueueControl>().PauseAsync("paused by you", Ct); return 0; });
        var job = await SubmitAsync(new StepsSpec("paused", Steps: 1, StepMilliseconds: 1));

        await Task.Delay(2000, Ct); // several recheck intervals with idle workers
        var whilePaused = await InScopeAsync(s => s.GetRequiredService<JobStore>().FindAsync(job.Id, Ct));
        await InScopeAsync(async s => { await s.GetRequiredService<QueueControl>().ResumeAsync(Ct); return 0; });
        var final = await WaitFinalAsync(job.Id);

        Assert.Equal(JobStatus.Queued, whilePaused!.Status);
        Assert.Equal(JobStatus.Succeeded, final.Status);
    }

    [Fact]
    public async Task Move_QueuedJobToTop_RunsBeforeEarlierJobs()
    {
        await InScopeAsync(async s => { await s.GetRequiredService<QueueControl>().PauseAsync("paused by you", Ct); return 0; });
        var a = await SubmitAsync(new StepsSpec("order-a", Steps: 1, StepMilliseconds: 50));
        var b = await SubmitAsync(new StepsSpec("order-b", Steps: 1, StepMilliseconds: 50));
        var c = await SubmitAsync(new StepsSpec("order-c", Steps: 1, StepMilliseconds: 50));

        await InScopeAsync(s => s.GetRequiredService<JobStore>().MoveAsync(c.Id, QueueMove.Top, Ct));
        await InScopeAsync(async s => { await s.GetRequiredService<QueueControl>().ResumeAsync(Ct); return 0; });
        var finals = new[] { await WaitFinalAsync(a.Id), await WaitFinalAsync(b.Id), await WaitFinalAsync(c.Id) };

        Assert.All(finals, j => Assert.Equal(JobStatus.Succeeded, j.Status));
        // one render worker: start order is queue order
        Assert.Equal([c.Id, a.Id, b.Id], finals.OrderBy(j => j.StartedAt).Select(j => j.Id));
    }

    [Theory]
    [InlineData("test-steps", """{"key":"x","steps":0,"stepMilliseconds":1}""", "steps: must be between 1 and 1000")]
    [InlineData("paint", "{}", "kind: unknown job kind 'paint'")]
    public async Task Submit_InvalidRequest_RejectedWithFieldMessageAndNothingQueued(string kind, string spec, string message)
    {
        var error = await Assert.ThrowsAsync<JobInputException>(() =>
            InScopeAsync(s => s.GetRequiredService<JobService>().SubmitAsync(kind, Owner.Local, spec, Ct)));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await InScopeAsync(s => s.GetRequiredService<StudioDbContext>().Jobs.CountAsync(Ct)));
    }

    [Fact]
    public async Task Submit_100KilobyteSpec_RejectedBeforeParsing()
    {
        var huge = JsonSerializer.Serialize(new { key = new string('x', 100_000), steps = 1, stepMilliseconds = 1 });

        var error = await Assert.ThrowsAsync<JobInputException>(() =>
            InScopeAsync(s => s.GetRequiredService<JobService>().SubmitAsync(StepsHandler.KindName, Owner.Local, huge, Ct)));

        Assert.StartsWith("spec: 100,", error.Message, StringComparison.Ordinal);
    }

    private Task<JobRecord> SubmitAsync(StepsSpec spec) =>
        InScopeAsync(s => s.GetRequiredService<JobService>().SubmitAsync(StepsHandler.KindName, Owner.Local, JsonSerializer.Serialize(spec, JsonSerializerOptions.Web), Ct));

    private Task<List<AssetRecord>> OutputsAsync(Guid jobId) =>
        InScopeAsync(s => s.GetRequiredService<StudioDbContext>().Assets.Where(a => a.SourceJobId == jobId).ToListAsync(Ct));

    private Task<JobRecord> WaitFinalAsync(Guid id, TimeSpan? timeout = null) => WaitAsync(id, j => j.Status.IsFinal(), timeout);

    private async Task<JobRecord> WaitAsync(Guid id, Func<JobRecord, bool> condition, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var job = await InScopeAsync(s => s.GetRequiredService<JobStore>().FindAsync(id, Ct));
            if (job is not null && condition(job))
            {
                return job;
            }

            Assert.True(waited.Elapsed < limit, $"job {id} is still {job?.Status} at stage {job?.Stage}");
            await Task.Delay(50, Ct);
        }
    }

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }
}
