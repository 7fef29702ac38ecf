using System.Net.Http.Json;
using System.Text.Json;

namespace MediaStudio.EndToEnd.Tests;

/// <summary>The published studio with the bundled models: text to image from Create, seen in Gallery, settings reused,
/// and a batch through the API. A failing scenario leaves a screenshot named after it.</summary>
public sealed class GenerationPagesTests(GenerationPagesTests.BundledModelsStudio fixture) : IClassFixture<GenerationPagesTests.BundledModelsStudio>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public Task CreatePage_Generate_ImageAppearsThenGalleryShowsItsSettingsAndReusesThem() => Chromium.RunAsync(async page =>
    {
        const string Prompt = "a large red circle on the left, on a flat blue background";
        await Chromium.OpenAsync(page, fixture.Studio.BaseAddress, "create");
        await page.Locator("textarea").First.FillAsync(Prompt);
        await page.Locator("[data-testid=dice]").ClickAsync(); // a fixed, freshly rolled seed
        // MudBlazor puts the test id on the input itself or on its wrapper, depending on the component
        var seedInput = page.Locator("input[data-testid=seed], [data-testid=seed] input").First;
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('input[data-testid=seed], [data-testid=seed] input'); return i && !i.disabled && i.value !== ''; }", null, new() { Timeout = 15_000 });
        var seed = await seedInput.InputValueAsync();
        await page.Locator("[data-testid=generate]").ClickAsync();

        // the result appears in place
        await page.Locator("[data-testid=job-images] img").First.WaitForAsync(new() { Timeout = 120_000 });
        await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("create-generated.png") });

        // the gallery lists it; its panel shows the settings, and "reuse settings" fills Create with them
        await Chromium.OpenAsync(page, fixture.Studio.BaseAddress, "gallery");
        await page.Locator("[data-testid=gallery-tile]").First.ClickAsync();
        var settings = page.Locator("[data-testid=asset-settings]");
        await settings.WaitForAsync(new() { Timeout = 15_000 });
        var text = await settings.InnerTextAsync();
        Assert.Contains(Prompt, text, StringComparison.Ordinal);
        Assert.Contains(seed, text, StringComparison.Ordinal);
        await page.Locator("[data-testid=reuse-settings]").ClickAsync();
        await page.WaitForFunctionAsync($"() => [...document.querySelectorAll('textarea')].some(t => t.value === {JsonSerializer.Serialize(Prompt)})", null, new() { Timeout = 15_000 });
        Assert.Contains(seed, await page.Locator("input").EvaluateAllAsync<string[]>("all => all.map(i => i.value)"));
    });

    [Fact]
    public async Task BatchRender_TwoPromptsTwoSeeds_GivesContactSheetAndZip()
    {
        using var http = new HttpClient { BaseAddress = fixture.Studio.BaseAddress };
        var spec = new { prompts = new[] { "a small green square at the top", "a large yellow star in the centre" }, seeds = new[] { 1, 2 } };
        using var submitted = await http.PostAsJsonAsync(new Uri("/api/jobs", UriKind.Relative), new { kind = "batch-render", spec }, Json, Ct);
        submitted.EnsureSuccessStatusCode();
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>(Json, Ct)).GetProperty("id").GetString();

        JsonElement job;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            await Task.Delay(250, Ct);
            job = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/jobs/{id}", UriKind.Relative), Json, Ct);
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(2), $"batch still {job.GetProperty("status")}");
        }
        while (job.GetProperty("status").GetString() is "queued" or "running");

        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var slots = job.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("slot").GetString()!, o => o.GetProperty("id").GetString()!);
        Assert.Equal(4, slots.Keys.Count(k => k.StartsWith("image-", StringComparison.Ordinal)));
        using var zip = await http.GetAsync(new Uri($"/api/assets/{slots["zip"]}/content", UriKind.Relative), Ct);
        Assert.Equal("application/zip", zip.Content.Headers.ContentType?.MediaType);
        using var sheet = await http.GetAsync(new Uri($"/api/assets/{slots["contact-sheet"]}/content", UriKind.Relative), Ct);
        Assert.Equal("image/png", sheet.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The published studio pointed at the repository's bundled models.</summary>
    public sealed class BundledModelsStudio : IAsyncLifetime
    {
        private StudioProcess? _studio;

        public StudioProcess Studio => _studio ?? throw new InvalidOperationException("not started");

        public async ValueTask InitializeAsync()
        {
            var models = Path.Combine(AppLocations.RepositoryRoot(), "models");
            _studio = StudioProcess.Start(AppLocations.Published(), ["--MediaStudio:Models:Path", models]);
            await _studio.WaitHealthyAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            if (_studio is not null)
            {
                await _studio.DisposeAsync();
            }
        }
    }
}
