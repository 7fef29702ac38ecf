using Bunit;
using MediaStudio.Web.Components.Shared;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MudBlazor.Services;

namespace MediaStudio.Web.Tests.Components.Shared;

public sealed class SystemStatusTests : BunitContext
{
    public SystemStatusTests()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    [Fact]
    public void Render_NoReportYet_ShowsProgress()
    {
        var status = Render<SystemStatus>();

        Assert.NotEmpty(status.FindAll(".mud-progress-linear"));
        Assert.Empty(status.FindAll("[data-testid=system-status]"));
    }

    [Fact]
    public void Render_MixedReport_ListsEachCheckWithItsStateAndReason()
    {
        var report = new HealthReport(
            new Dictionary<string, HealthReportEntry>
            {
                ["ffmpeg"] = new(HealthStatus.Healthy, "ffmpeg version 5.1", TimeSpan.Zero, null, null),
                ["queue"] = new(HealthStatus.Unhealthy, null, TimeSpan.Zero, new InvalidOperationException("storage is down"), null),
            },
            TimeSpan.Zero);

        var status = Render<SystemStatus>(parameters => parameters.Add(p => p.Report, report));

        var items = status.FindAll(".mud-list-item");
        Assert.Equal(2, items.Count);
        Assert.Contains("ffmpeg version 5.1", items[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Unhealthy", items[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("storage is down", items[1].TextContent, StringComparison.Ordinal); // the exception explains a missing description
        Assert.Single(status.FindAll(".mud-error-text"));
    }
}
