using Bunit;
using MediaStudio.Core.Jobs;
using MediaStudio.Web.Components.Pages.Queue;
using MediaStudio.Web.Services;
using MudBlazor;
using MudBlazor.Services;

namespace MediaStudio.Web.Tests.Components.Pages.Queue;

public sealed class JobRowActionsTests : BunitContext
{
    public JobRowActionsTests()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Render<MudPopoverProvider>(); // the tooltips open in the provider
    }

    [Theory]
    [InlineData(JobStatus.Queued, false, "move-top,move-up,move-down,cancel")]
    [InlineData(JobStatus.Running, false, "cancel")]
    [InlineData(JobStatus.Running, true, "")]
    [InlineData(JobStatus.Failed, false, "retry")]
    [InlineData(JobStatus.Cancelled, false, "retry")]
    [InlineData(JobStatus.Interrupted, false, "cancel,retry")]
    [InlineData(JobStatus.Succeeded, false, "")]
    public void Render_EachState_OffersOnlyTheActionsItAllows(JobStatus status, bool cancelRequested, string expected)
    {
        var row = Render<JobRowActions>(p => p.Add(a => a.Job, Snapshot(status, cancelRequested, place: 2)));

        var offered = row.FindAll("button[data-testid]").Select(b => b.GetAttribute("data-testid")).ToList();
        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries), offered);
    }

    [Fact]
    public void Click_EachAction_RaisesItsCallback()
    {
        var raised = new List<string>();
        var row = Render<JobRowActions>(p => p
            .Add(a => a.Job, Snapshot(JobStatus.Queued, false, place: 2))
            .Add(a => a.OnCancel, () => raised.Add("cancel"))
            .Add(a => a.OnMove, move => raised.Add(move.ToString())));

        row.Find("[data-testid=move-top]").Click();
        row.Find("[data-testid=move-up]").Click();
        row.Find("[data-testid=move-down]").Click();
        row.Find("[data-testid=cancel]").Click();

        Assert.Equal(["Top", "Up", "Down", "cancel"], raised);
    }

    [Fact]
    public void Render_FirstAndLastInQueue_DisablesMovesThatGoNowhere()
    {
        var first = Render<JobRowActions>(p => p.Add(a => a.Job, Snapshot(JobStatus.Queued, false, place: 1)).Add(a => a.IsLast, true));

        Assert.True(first.Find("[data-testid=move-up]").HasAttribute("disabled"));
        Assert.True(first.Find("[data-testid=move-down]").HasAttribute("disabled"));
    }

    [Fact]
    public void Retry_FailedJob_RaisesRetry()
    {
        var retried = 0;
        var row = Render<JobRowActions>(p => p.Add(a => a.Job, Snapshot(JobStatus.Failed, false, place: null)).Add(a => a.OnRetry, () => retried++));

        row.Find("[data-testid=retry]").Click();

        Assert.Equal(1, retried);
    }

    private static JobSnapshot Snapshot(JobStatus status, bool cancelRequested, int? place) =>
        new(new JobRecord { Kind = "queue-probe", OwnerId = "local", SpecJson = "{}", Status = status, CancelRequested = cancelRequested }, place, []);
}
