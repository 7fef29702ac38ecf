using Microsoft.Playwright;

namespace MediaStudio.EndToEnd.Tests;

public sealed class BrowserTests(PublishedStudioFixture fixture) : IClassFixture<PublishedStudioFixture>
{
    // Debian's chromium; the flags keep it off the network this machine does not have.
    [Fact]
    public async Task HomePage_InChromium_RendersInteractiveMudBlazorShell()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Chromium.Launch);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });

        await page.GotoAsync(fixture.Studio.BaseAddress.ToString());
        await page.WaitForSelectorAsync("[data-testid=system-status]"); // the health list renders once the circuit is up

        Assert.Equal("MediaStudio", await page.TitleAsync());
        Assert.True(await page.Locator(".mud-appbar").IsVisibleAsync());
        Assert.True(await page.Locator(".mud-drawer").IsVisibleAsync());
        var links = await page.Locator(".mud-nav-link").AllInnerTextsAsync();
        foreach (var section in new[] { "Create", "Batch", "Video edit", "Queue", "Gallery", "Models", "Negatives" })
        {
            Assert.Contains(links, link => link.Trim() == section);
        }

        var shot = await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("home.png"), FullPage = true });
        Assert.True(shot.Length > 10_000, $"screenshot is only {shot.Length} bytes");
    }

    [Fact]
    public async Task ThemeToggle_Clicked_SwitchesBetweenLightAndDarkPalettes()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Chromium.Launch);
        var page = await browser.NewPageAsync(new() { ColorScheme = ColorScheme.Light });
        await Chromium.OpenAsync(page, fixture.Studio.BaseAddress, ""); // a click before the circuit connects is lost
        await page.WaitForSelectorAsync("[data-testid=system-status]");
        const string Background = "getComputedStyle(document.body).backgroundColor";
        var light = await page.EvaluateAsync<string>(Background);

        await page.ClickAsync("[data-testid=theme-toggle]");
        await page.WaitForFunctionAsync($"{Background} !== '{light}'");
        var dark = await page.EvaluateAsync<string>(Background);
        await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("home-dark.png") });

        Assert.NotEqual(light, dark);
        Assert.True(Luminance(dark) < Luminance(light), $"dark {dark} is not darker than light {light}");
    }

    [Fact]
    public async Task NavMenu_ClickSection_NavigatesWithoutReload()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Chromium.Launch);
        var page = await browser.NewPageAsync();
        await Chromium.OpenAsync(page, fixture.Studio.BaseAddress, "");
        await page.WaitForSelectorAsync("[data-testid=system-status]");

        await page.ClickAsync(".mud-nav-link:has-text('Video edit')");
        await page.WaitForSelectorAsync("#section-title");

        Assert.EndsWith("/video-edit", page.Url, StringComparison.Ordinal);
        Assert.Equal("Video edit", (await page.InnerTextAsync("#section-title")).Trim());
    }


    private static double Luminance(string rgb)
    {
        var parts = rgb[(rgb.IndexOf('(', StringComparison.Ordinal) + 1)..rgb.IndexOf(')', StringComparison.Ordinal)]
            .Split(',')
            .Select(p => double.Parse(p, System.Globalization.CultureInfo.InvariantCulture))
            .ToArray();
        return (0.2126 * parts[0]) + (0.7152 * parts[1]) + (0.0722 * parts[2]);
    }
}
