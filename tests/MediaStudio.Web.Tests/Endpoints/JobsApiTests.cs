using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MediaStudio.Tests.Shared;
using MediaStudio.Web.Endpoints;

namespace MediaStudio.Web.Tests.Endpoints;

// Hangfire keeps process-wide state, so the hosts of this assembly run one at a time
[Collection(nameof(JobsApiTests))]
[CollectionDefinition(nameof(JobsApiTests), DisableParallelization = true)]
public sealed class JobsApiTests(StudioServer server) : IClassFixture<StudioServer>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Submit_ValidJob_RunsToSuccessAndOutputDownloadsAsAttachment()
    {
        using var submitted = await SubmitAsync(new StepsSpec("api", Steps: 2, StepMilliseconds: 10));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var job = (await submitted.Content.ReadFromJsonAsync<JobResponse>(Json, Ct))!;

        var final = await WaitFinalAsync(job.Id);
        var output = Assert.Single(final.Outputs);
        using var content = await server.Http.GetAsync(new Uri($"/api/assets/{output.Id}/content", UriKind.Relative), Ct);

        Assert.Equal("succeeded", final.Status);
        Assert.Equal($"/api/jobs/{job.Id}", submitted.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal("done api in 2 steps", await content.Content.ReadAsStringAsync(Ct));
        Assert.Equal("attachment", content.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", content.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Submit_InvalidSteps_Returns400NamingTheField()
    {
        using var response = await SubmitAsync(new StepsSpec("bad", Steps: 0, StepMilliseconds: 1));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("steps: must be between 1 and 1000".Split(": ")[1], problem.RootElement.GetProperty("errors").GetProperty("steps")[0].GetString());
    }

    [Fact]
    public async Task Submit_100KilobytePrompt_Returns400OnSpec()
    {
        using var response = await server.Http.PostAsJsonAsync(
            new Uri("/api/jobs", UriKind.Relative),
            new { kind = StepsHandler.KindName, spec = new { key = new string('p', 100_000), steps = 1, stepMilliseconds = 1 } },
            Json,
            Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.StartsWith("100,", problem.RootElement.GetProperty("errors").GetProperty("spec")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelAndRetry_UnknownOrFinishedJob_Answer404Or409()
    {
        using var submitted = await SubmitAsync(new StepsSpec("fin", Steps: 1, StepMilliseconds: 1));
        var job = (await submitted.Content.ReadFromJsonAsync<JobResponse>(Json, Ct))!;
        await WaitFinalAsync(job.Id);

        using var unknown = await server.Http.PostAsync(new Uri($"/api/jobs/{Guid.NewGuid()}/cancel", UriKind.Relative), null, Ct);
        using var finished = await server.Http.PostAsync(new Uri($"/api/jobs/{job.Id}/cancel", UriKind.Relative), null, Ct);
        using var retrySucceeded = await server.Http.PostAsync(new Uri($"/api/jobs/{job.Id}/retry", UriKind.Relative), null, Ct);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, finished.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, retrySucceeded.StatusCode);
    }

    [Fact]
    public async Task Cancel_RunningJob_EndsCancelledWithoutOutputs()
    {
        using var submitted = await SubmitAsync(new StepsSpec("long", Steps: 300, StepMilliseconds: 50));
        var job = (await submitted.Content.ReadFromJsonAsync<JobResponse>(Json, Ct))!;
        await WaitAsync(job.Id, j => j.Status == "running");

        using var cancel = await server.Http.PostAsync(new Uri($"/api/jobs/{job.Id}/cancel", UriKind.Relative), null, Ct);
        var final = await WaitFinalAsync(job.Id);

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("cancelled", final.Status);
        Assert.Empty(final.Outputs);
    }

    [Fact]
    public async Task PauseAndResume_OverTheApi_ReportTheQueueState()
    {
        using var pause = await server.Http.PostAsync(new Uri("/api/queue/pause", UriKind.Relative), null, Ct);
        var paused = await pause.Content.ReadFromJsonAsync<QueueStateResponse>(Json, Ct);
        using var resume = await server.Http.PostAsync(new Uri("/api/queue/resume", UriKind.Relative), null, Ct);
        var resumed = await resume.Content.ReadFromJsonAsync<QueueStateResponse>(Json, Ct);

        Assert.True(paused!.Paused);
        Assert.Equal("paused by you", paused.Reason);
        Assert.False(resumed!.Paused);
    }

    [Theory]
    [InlineData("/api/assets/00000000-0000-0000-0000-000000000001/content")]
    [InlineData("/api/assets/..%2F..%2Fetc%2Fpasswd/content")]
    [InlineData("/api/jobs/not-a-guid")]
    public async Task Get_UnknownOrMalformedId_Returns404(string path)
    {
        using var response = await server.Http.GetAsync(new Uri(path, UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task OpenApi_Document_DescribesTheJobAndAssetEndpoints()
    {
        using var doc = JsonDocument.Parse(await server.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct));

        var paths = doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/jobs", paths);
        Assert.Contains("/api/jobs/{id}/cancel", paths);
        Assert.Contains("/api/assets/{id}/content", paths);
        Assert.Contains("/api/queue/pause", paths);
    }

    private Task<HttpResponseMessage> SubmitAsync(StepsSpec spec) =>
        server.Http.PostAsJsonAsync(new Uri("/api/jobs", UriKind.Relative), new { kind = StepsHandler.KindName, spec }, Json, Ct);

    private Task<JobResponse> WaitFinalAsync(Guid id) => WaitAsync(id, j => j.Status is "succeeded" or "failed" or "cancelled");

    private async Task<JobResponse> WaitAsync(Guid id, Func<JobResponse, bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var job = (await server.Http.GetFromJsonAsync<JobResponse>(new Uri($"/api/jobs/{id}", UriKind.Relative), Json, Ct))!;
            if (condition(job))
            {
                return job;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"job {id} is still {job.Status}");
            await Task.Delay(50, Ct);
        }
    }
}
