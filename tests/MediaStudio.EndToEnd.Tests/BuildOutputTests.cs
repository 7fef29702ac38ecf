using System.Net;

namespace MediaStudio.EndToEnd.Tests;

public sealed class BuildOutputTests
{
    [Fact]
    public async Task RootAsset_BuildOutputLikeDotnetRun_IsServed()
    {
        await using var studio = StudioProcess.Start(AppLocations.Built());
        await studio.WaitHealthyAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = studio.BaseAddress };

        using var css = await http.GetAsync(new Uri("/css/site.css", UriKind.Relative), TestContext.Current.CancellationToken);
        using var mud = await http.GetAsync(new Uri("/_content/MudBlazor/MudBlazor.min.js", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Contains("#blazor-error-ui", await css.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, mud.StatusCode);
    }
}
