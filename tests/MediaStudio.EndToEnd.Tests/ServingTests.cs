using System.Net;
using System.Text.Json;

namespace MediaStudio.EndToEnd.Tests;

public sealed class ServingTests(PublishedStudioFixture fixture) : IClassFixture<PublishedStudioFixture>
{
    private HttpClient Http() => new() { BaseAddress = fixture.Studio.BaseAddress };

    [Fact]
    public async Task Health_PublishedApp_ReportsEachDependencyHealthy()
    {
        using var http = Http();

        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken));

        Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
        var checks = json.RootElement.GetProperty("checks");
        foreach (var name in new[] { "database", "queue", "ffmpeg", "torch" })
        {
            Assert.Equal("healthy", checks.GetProperty(name).GetProperty("status").GetString());
        }

        Assert.StartsWith("libtorch on cpu", checks.GetProperty("torch").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("SQLiteStorage", checks.GetProperty("queue").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/css/site.css", "text/css", "#blazor-error-ui")]
    [InlineData("/favicon.svg", "image/svg+xml", "<svg")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.css", "text/css", ".mud-")]
    public async Task StaticAsset_PublishedApp_ServedFromRootWwwroot(string path, string contentType, string marker)
    {
        using var http = Http();

        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(marker, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HangfireDashboard_FromLocalhost_Answers()
    {
        using var http = Http();

        var page = await http.GetStringAsync(new Uri("/hangfire", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Contains("MediaStudio queue", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HomePage_ServerRender_ContainsMudBlazorShell()
    {
        using var http = Http();

        var html = await http.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Contains("mud-appbar", html, StringComparison.Ordinal);
        Assert.Contains("mud-drawer", html, StringComparison.Ordinal);
        Assert.Contains("_framework/blazor.web", html, StringComparison.Ordinal);
    }
}
