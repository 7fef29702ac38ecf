using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace MediaStudio.EndToEnd.Tests;

/// <summary>Debian's chromium through Playwright, shared by the browser scenarios: a fresh page per scenario, a screenshot
/// named after a failing one, and navigation that waits for the live Blazor circuit.</summary>
internal static class Chromium
{
    public static readonly BrowserTypeLaunchOptions Launch = new()
    {
        ExecutablePath = Environment.GetEnvironmentVariable("MEDIASTUDIO_CHROMIUM") ?? "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    };

    /// <summary>Runs a scenario in a fresh page; a failure saves &lt;test&gt;-failed.png before it propagates.</summary>
    public static async Task RunAsync(Func<IPage, Task> scenario, [CallerMemberName] string name = "")
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Launch);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, ColorScheme = ColorScheme.Light });
        try
        {
            await scenario(page);
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = ScreenshotPath($"{name}-failed.png"), FullPage = true });
            throw;
        }
    }

    /// <summary>Opens a page of the studio and waits until the layout marks the circuit live, so clicks reach the server.</summary>
    public static async Task OpenAsync(IPage page, Uri studio, string path)
    {
        await page.GotoAsync(new Uri(studio, path).ToString());
        await page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 30_000 });
    }

    /// <summary>Where screenshots go: MEDIASTUDIO_SCREENSHOTS (deploy/test.sh sets it) or beside the tests.</summary>
    public static string ScreenshotPath(string name)
    {
        var folder = Environment.GetEnvironmentVariable("MEDIASTUDIO_SCREENSHOTS") ?? Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
