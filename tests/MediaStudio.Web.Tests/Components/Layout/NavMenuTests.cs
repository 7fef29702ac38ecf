using Bunit;
using MediaStudio.Web.Components.Layout;
using MudBlazor.Services;

namespace MediaStudio.Web.Tests.Components.Layout;

public sealed class NavMenuTests : BunitContext
{
    public NavMenuTests()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    [Fact]
    public void Render_Always_LinksHomeEverySectionAndTheQueueDashboard()
    {
        var menu = Render<NavMenu>();

        var hrefs = menu.FindAll("a.mud-nav-link").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(["", .. StudioSection.All.Select(s => s.Href), "hangfire"], hrefs);
    }

    [Fact]
    public void Sections_Always_HaveUniqueRoutesAndAnIssueWhileUnbuilt()
    {
        Assert.Equal(StudioSection.All.Count, StudioSection.All.Select(s => s.Href).Distinct(StringComparer.Ordinal).Count());
        Assert.All(StudioSection.All, s => Assert.False(string.IsNullOrWhiteSpace(s.Purpose)));
    }
}
