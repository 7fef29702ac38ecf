using System.Text.Json;
using Bunit;
using MediaStudio.Tests.Shared;
using MediaStudio.Web.Components.Pages.Queue;
using MediaStudio.Web.Services;
using MediaStudio.Web.Tests.Endpoints;
using Microsoft.Extensions.DependencyInjection;

namespace MediaStudio.Web.Tests.Components.Pages.Queue;

// a real studio behind the page; shares the API tests' collection because Hangfire state is process-wide
[Collection(nameof(JobsApiTests))]
public sealed class QueuePageTests : BunitContext, IClassFixture<StudioServer>
{
    private readonly StudioServer _server;

    public QueuePageTests(StudioServer server)
    {
        _server = server;
        this.UseStudio(server);
    }

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async Task CancelButton_RunningJob_CancelsItAndTheRowSaysSo()
    {
        var board = _server.App.Services.GetRequiredService<JobBoard>();
        var job = await board.SubmitAsync(StepsHandler.KindName, JsonSerializer.Serialize(new StepsSpec("queue-page", 600, 50), JsonSerializerOptions.Web), Ct);
        var page = Render<QueuePage>();

        page.WaitForElement("tr.job-running [data-testid=cancel]", TimeSpan.FromSeconds(30)).Click();
        page.WaitForElement("tr.job-cancelled", TimeSpan.FromSeconds(30));

        Assert.Equal(MediaStudio.Core.Jobs.JobStatus.Cancelled, (await board.GetAsync(job.Id, Ct))!.Job.Status);
    }

    [Fact]
    public void PauseAndResume_Clicked_ShowPausedStateThenRunning()
    {
        var page = Render<QueuePage>();

        page.WaitForElement("[data-testid=queue-pause]").Click();
        page.WaitForElement("[data-testid=queue-paused]");
        Assert.Contains("paused by you", page.Find("[data-testid=queue-paused]").TextContent, StringComparison.Ordinal);
        page.Find("[data-testid=queue-resume]").Click();

        page.WaitForElement("[data-testid=queue-pause]");
    }

    [Fact]
    public async Task Render_FailedJob_ShowsItsErrorInWords()
    {
        var board = _server.App.Services.GetRequiredService<JobBoard>();
        var job = await board.SubmitAsync(StepsHandler.KindName, JsonSerializer.Serialize(new StepsSpec("bad-input", 1, 1, BadInput: true), JsonSerializerOptions.Web), Ct);
        for (var i = 0; i < 600 && (await board.GetAsync(job.Id, Ct))!.Job.Status != MediaStudio.Core.Jobs.JobStatus.Failed; i++)
        {
            await Task.Delay(50, Ct);
        }

        var page = Render<QueuePage>();

        Assert.Contains(page.FindAll("[data-testid=job-error]"), e => e.TextContent.Contains("prompt: contains nothing to draw", StringComparison.Ordinal));
    }
}
