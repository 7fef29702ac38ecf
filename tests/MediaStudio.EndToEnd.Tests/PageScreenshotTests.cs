using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace MediaStudio.EndToEnd.Tests;

/// <summary>Every page of the studio in chromium, light and dark: each must render its heading once the circuit is
/// live, and each leaves <c>&lt;page&gt;-light.png</c> and <c>&lt;page&gt;-dark.png</c> in the screenshots folder
/// (<c>update-screenshots.sh</c> points that folder at <c>wwwroot/img/screenshots</c>).</summary>
public sealed class PageScreenshotTests(PublishedStudioFixture fixture) : IClassFixture<PublishedStudioFixture>
{
    private static readonly string[] Pages = ["create", "batch", "video-edit", "queue", "gallery", "models", "negatives"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryPage_LightAndDark_RendersItsHeading()
    {
        await SeedAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Chromium.Launch);
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            var theme = scheme == ColorScheme.Light ? "light" : "dark";
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 }, ColorScheme = scheme });
            foreach (var path in Pages.Prepend(string.Empty))
            {
                var name = path.Length == 0 ? "home" : path;
                try
                {
                    await page.GotoAsync(new Uri(fixture.Studio.BaseAddress, path).ToString());
                    await page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 30_000 });
                    if (path.Length > 0)
                    {
                        await page.Locator("#section-title").WaitForAsync();
                    }

                    await page.WaitForTimeoutAsync(400); // let the theme transition and the first refresh settle
                    await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath($"{name}-{theme}.png") });
                }
                catch
                {
                    await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath($"{name}-{theme}-failed.png"), FullPage = true });
                    throw;
                }
            }

            await page.CloseAsync();
        }
    }

    // something to look at: a finished and a queued probe job, and an uploaded image with A1111 settings
    private async Task SeedAsync()
    {
        using var http = new HttpClient { BaseAddress = fixture.Studio.BaseAddress };
        foreach (var steps in new[] { 2, 400 })
        {
            using var job = await http.PostAsJsonAsync(new Uri("/api/jobs", UriKind.Relative), new { kind = "queue-probe", spec = new { steps, stepMilliseconds = 50 } }, JsonSerializerOptions.Web, Ct);
            job.EnsureSuccessStatusCode();
        }

        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(StudioPagesTests.ForeignPng("a lighthouse at dusk\nSteps: 20, Sampler: Euler a, CFG scale: 5, Seed: 7, Size: 64x64"));
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "lighthouse.png");
        using var upload = await http.PostAsync(new Uri("/api/assets", UriKind.Relative), form, Ct);
        upload.EnsureSuccessStatusCode();
    }

}
