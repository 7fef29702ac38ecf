using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using MediaStudio.Tests.Shared;

namespace MediaStudio.EndToEnd.Tests;

/// <summary>A worker killed with SIGKILL mid-job: the job runs again and finishes exactly once in effect.</summary>
public sealed class KillSafetyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EmbeddedStudio_KilledMidJobAndRestarted_FinishesOnceWithOneOutput()
    {
        var data = Directory.CreateTempSubdirectory("mediastudio-kill-").FullName;
        try
        {
            string[] settings = ["--MediaStudio:Storage:DataPath", data, "--MediaStudio:Queue:InvisibilityTimeout", "00:00:04", "--MediaStudio:Queue:HeartbeatInterval", "00:00:01", "--MediaStudio:Queue:StaleAfter", "00:00:30"];
            Guid jobId;
            await using (var first = StudioProcess.Start(AppLocations.Published(), settings))
            {
                await first.WaitHealthyAsync(TimeSpan.FromSeconds(60), Ct);
                jobId = await SubmitProbeAsync(first.BaseAddress, steps: 60);
                await WaitJobAsync(first.BaseAddress, jobId, job => job.GetProperty("status").GetString() == "running" && job.GetProperty("progress").GetDouble() > 0);
                first.Kill();
            }

            await using var second = StudioProcess.Start(AppLocations.Published(), settings);
            await second.WaitHealthyAsync(TimeSpan.FromSeconds(60), Ct);
            var final = await WaitJobAsync(second.BaseAddress, jobId, IsFinal);

            AssertFinishedOnce(final);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task PostgresWorker_KilledMidJob_AnotherWorkerFinishesOnceWithOneOutput()
    {
        var connection = await TestPostgres.CreateDatabaseAsync(Ct);
        var data = Directory.CreateTempSubdirectory("mediastudio-kill-pg-").FullName;
        try
        {
            string[] settings =
            [
                "--MediaStudio:Storage:DataPath", data,
                "--MediaStudio:Storage:Database", "PostgreSql", "--MediaStudio:Storage:ConnectionString", connection,
                "--MediaStudio:Queue:Storage", "PostgreSql", "--MediaStudio:Queue:ConnectionString", connection,
                "--MediaStudio:Queue:InvisibilityTimeout", "00:00:04", "--MediaStudio:Queue:HeartbeatInterval", "00:00:01", "--MediaStudio:Queue:StaleAfter", "00:00:30",
            ];
            await using var web = StudioProcess.Start(AppLocations.Published(), [.. settings, "--MediaStudio:Queue:RunWorker", "false"]);
            await web.WaitHealthyAsync(TimeSpan.FromSeconds(60), Ct);
            var jobId = await SubmitProbeAsync(web.BaseAddress, steps: 60);

            await using (var doomed = StudioProcess.StartCli(["worker", "--queues", "default", .. settings, "--MediaStudio:Queue:WorkerName", "doomed"]))
            {
                await WaitJobAsync(web.BaseAddress, jobId, job => job.GetProperty("status").GetString() == "running" && job.GetProperty("progress").GetDouble() > 0);
                doomed.Kill();
            }

            await using var survivor = StudioProcess.StartCli(["worker", "--queues", "default", .. settings, "--MediaStudio:Queue:WorkerName", "survivor"]);
            var final = await WaitJobAsync(web.BaseAddress, jobId, IsFinal);

            AssertFinishedOnce(final);
            Assert.StartsWith($"{Environment.MachineName}/survivor#", await ReceiptWorkerAsync(web.BaseAddress, final), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static bool IsFinal(JsonElement job) => job.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled";

    private static void AssertFinishedOnce(JsonElement final)
    {
        Assert.True(final.GetProperty("status").GetString() == "succeeded", final.ToString());
        Assert.Equal(2, final.GetProperty("attempts").GetInt32());
        Assert.Equal(1, final.GetProperty("outputs").GetArrayLength());
    }

    private static async Task<string> ReceiptWorkerAsync(Uri app, JsonElement final)
    {
        using var http = new HttpClient { BaseAddress = app };
        var id = final.GetProperty("outputs")[0].GetProperty("id").GetString();
        using var receipt = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/assets/{id}/content", UriKind.Relative), Ct));
        return receipt.RootElement.GetProperty("worker").GetString()!;
    }

    private static async Task<Guid> SubmitProbeAsync(Uri app, int steps)
    {
        using var http = new HttpClient { BaseAddress = app };
        using var response = await http.PostAsJsonAsync(
            new Uri("/api/jobs", UriKind.Relative), new { kind = "queue-probe", spec = new { steps, stepMilliseconds = 100 } }, Ct);
        response.EnsureSuccessStatusCode();
        using var job = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return job.RootElement.GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> WaitJobAsync(Uri app, Guid id, Func<JsonElement, bool> condition)
    {
        using var http = new HttpClient { BaseAddress = app };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            using var job = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/jobs/{id}", UriKind.Relative), Ct));
            if (condition(job.RootElement))
            {
                return job.RootElement.Clone();
            }

            Assert.True(waited.Elapsed < Timeout, $"job {id}: {job.RootElement}");
            await Task.Delay(100, Ct);
        }
    }
}
