using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using MediaStudio.Core.Jobs;
using MediaStudio.Core.Owners;
using MediaStudio.Core.Persistence;
using MediaStudio.Jobs.Diagnostics;
using MediaStudio.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio bench jobs</c>: enqueue-to-start latency, queue throughput and listing 10,000 jobs through the
/// real web app and workers, on SQLite and (when given) PostgreSQL in the same run.</summary>
internal static class JobsBenchCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Write the results as JSON instead of a table." };
        var postgres = new Option<string?>("--postgres")
        {
            Description = "A PostgreSQL connection string (an empty database) to measure beside SQLite.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MEDIASTUDIO_BENCH_POSTGRES"),
        };
        var jobs = new Option<int>("--jobs") { Description = "Jobs for the throughput run.", DefaultValueFactory = _ => 200 };
        var samples = new Option<int>("--samples") { Description = "Single jobs for the latency run.", DefaultValueFactory = _ => 20 };
        var command = new Command("jobs", "Queue latency and throughput with the trivial queue-probe job, and the API listing 10,000 jobs.")
        {
            json, postgres, jobs, samples,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var results = new List<StorageResult> { await MeasureAsync("sqlite", [], parse.GetValue(samples), parse.GetValue(jobs), cancellationToken) };
            if (parse.GetValue(postgres) is { Length: > 0 } connection)
            {
                string[] pg =
                [
                    "--MediaStudio:Storage:Database", "PostgreSql", "--MediaStudio:Storage:ConnectionString", connection,
                    "--MediaStudio:Queue:Storage", "PostgreSql", "--MediaStudio:Queue:ConnectionString", connection,
                ];
                results.Add(await MeasureAsync("postgresql", pg, parse.GetValue(samples), parse.GetValue(jobs), cancellationToken));
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(results, Json));
            }
            else
            {
                Print(results);
            }

            return 0;
        });
        return command;
    }

    private static async Task<StorageResult> MeasureAsync(string name, string[] storage, int samples, int jobs, CancellationToken cancellationToken)
    {
        var data = Directory.CreateTempSubdirectory("mediastudio-bench-jobs-").FullName;
        try
        {
            await using var app = StudioWebApp.Create(
                ["--urls", "http://127.0.0.1:0", "--MediaStudio:Storage:DataPath", data, "--MediaStudio:Queue:DefaultWorkers", "4",
                 "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:Hangfire", "Warning", .. storage]);
            await app.StartAsync(cancellationToken);
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

            // 1. enqueue-to-start on an idle worker: one job at a time, start time read from the job row
            var latencies = new List<double>();
            await SubmitAsync(http, cancellationToken); // warm-up: JIT, connections
            await WaitAllFinalAsync(app.Services, 1, cancellationToken);
            for (var i = 0; i < samples; i++)
            {
                var id = await SubmitAsync(http, cancellationToken);
                var job = await WaitFinalAsync(app.Services, id, cancellationToken);
                latencies.Add((job.StartedAt!.Value - job.CreatedAt).TotalMilliseconds);
                await Task.Delay(200, cancellationToken); // let the workers go idle again
            }

            // 2. throughput: a burst of trivial jobs, submitted over the API, until the last is final
            var before = await CountFinalAsync(app.Services, cancellationToken);
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, jobs), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
                async (_, ct) => await SubmitAsync(http, ct));
            await WaitAllFinalAsync(app.Services, before + jobs, cancellationToken);
            var perSecond = jobs / clock.Elapsed.TotalSeconds;

            // 3. the API listing 10,000 jobs (rows inserted directly, then listed over HTTP)
            await SeedAsync(app.Services, 10_000 - (before + jobs), cancellationToken);
            await http.GetStringAsync(new Uri("/api/jobs?take=10000", UriKind.Relative), cancellationToken); // warm-up
            var listTimes = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                clock.Restart();
                var body = await http.GetStringAsync(new Uri("/api/jobs?take=10000", UriKind.Relative), cancellationToken);
                listTimes.Add(clock.Elapsed.TotalMilliseconds);
                if (i == 0 && JsonDocument.Parse(body).RootElement.GetArrayLength() != 10_000)
                {
                    throw new InvalidOperationException("the API did not list 10,000 jobs");
                }
            }

            await app.StopAsync(cancellationToken);
            return new StorageResult(name, Median(latencies), latencies.Max(), perSecond, Median(listTimes));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<Guid> SubmitAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(
            new Uri("/api/jobs", UriKind.Relative), new { kind = QueueProbeHandler.KindName, spec = new QueueProbeSpec(0, 0) }, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return body.RootElement.GetProperty("id").GetGuid();
    }

    private static async Task<JobRecord> WaitFinalAsync(IServiceProvider services, Guid id, CancellationToken cancellationToken)
    {
        while (true)
        {
            await using var scope = services.CreateAsyncScope();
            var job = await scope.ServiceProvider.GetRequiredService<JobStore>().FindAsync(id, cancellationToken);
            if (job is not null && job.Status.IsFinal())
            {
                return job;
            }

            await Task.Delay(5, cancellationToken);
        }
    }

    private static async Task<int> CountFinalAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StudioDbContext>().Jobs
            .CountAsync(j => j.Status == JobStatus.Succeeded || j.Status == JobStatus.Failed || j.Status == JobStatus.Cancelled, cancellationToken);
    }

    private static async Task WaitAllFinalAsync(IServiceProvider services, int count, CancellationToken cancellationToken)
    {
        while (await CountFinalAsync(services, cancellationToken) < count)
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    private static async Task SeedAsync(IServiceProvider services, int count, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        var now = DateTimeOffset.UnixEpoch;
        for (var i = 0; i < count; i++)
        {
            db.Jobs.Add(new JobRecord
            {
                Id = Guid.NewGuid(), Kind = QueueProbeHandler.KindName, OwnerId = Owner.Local, SpecJson = """{"steps":0,"stepMilliseconds":0}""",
                Status = JobStatus.Succeeded, Progress = 1, Position = i, CreatedAt = now.AddSeconds(i), UpdatedAt = now.AddSeconds(i),
            });
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static void Print(List<StorageResult> results)
    {
        var table = new Table().AddColumns("storage", "enqueue→start median (ms)", "max (ms)", "jobs/s", "list 10,000 (ms)");
        foreach (var r in results)
        {
            table.AddRow(r.Storage, $"{r.EnqueueToStartMs:F1}", $"{r.EnqueueToStartMaxMs:F1}", $"{r.JobsPerSecond:F1}", $"{r.List10kMs:F1}");
        }

        AnsiConsole.Write(table);
        if (results.Count == 2)
        {
            var (a, b) = (results[0], results[1]);
            AnsiConsole.MarkupLine(
                $"postgresql/sqlite: latency {b.EnqueueToStartMs / a.EnqueueToStartMs:F2}x, throughput {b.JobsPerSecond / a.JobsPerSecond:F2}x, list {b.List10kMs / a.List10kMs:F2}x");
        }

        AnsiConsole.MarkupLine("targets: enqueue→start < 50 ms on an idle worker; list of 10,000 jobs < 200 ms");
    }

    private sealed record StorageResult(string Storage, double EnqueueToStartMs, double EnqueueToStartMaxMs, double JobsPerSecond, double List10kMs);
}
