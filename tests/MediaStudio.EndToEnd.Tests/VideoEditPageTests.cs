using System.Diagnostics;
using System.Globalization;

namespace MediaStudio.EndToEnd.Tests;

/// <summary>The Video edit page in chromium against the published studio: a world clip uploaded, a box drawn on frame 1,
/// a reference picked, the edit submitted and its result played. The editor is a real model folder written by
/// <c>mediastudio train video-editor</c> (one step), the clip and reference come from <c>mediastudio dataset preview</c>.</summary>
public sealed class VideoEditPageTests(VideoEditPageTests.VideoEditStudio fixture) : IClassFixture<VideoEditPageTests.VideoEditStudio>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public Task VideoEditPage_BoxOnFrameOneAndReference_GivesAPlayableEditedVideo() => Chromium.RunAsync(async page =>
    {
        await Chromium.OpenAsync(page, fixture.Studio.BaseAddress, "video-edit");

        // 1. the clip, streamed up; frame 1 appears on the canvas
        await page.Locator("#video-upload").SetInputFilesAsync(fixture.ClipPath);
        await page.Locator("[data-testid=mask-host][data-frame-ready=true]").WaitForAsync(new() { Timeout = 60_000 });

        // 2. a box over the middle of frame 1
        await page.Locator("[data-testid=tool-box]").ClickAsync();
        var canvas = await page.Locator("[data-testid=mask-canvas]").BoundingBoxAsync();
        Assert.NotNull(canvas);
        await page.Mouse.MoveAsync(canvas.X + (canvas.Width * 0.3f), canvas.Y + (canvas.Height * 0.3f));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(canvas.X + (canvas.Width * 0.7f), canvas.Y + (canvas.Height * 0.7f), new() { Steps = 5 });
        await page.Mouse.UpAsync();
        await page.Locator("[data-testid=mask-status]:has-text('pixels marked')").WaitForAsync(new() { Timeout = 15_000 });

        // 3. the reference: uploaded, then picked from the gallery strip
        await page.Locator("#reference-upload").SetInputFilesAsync(fixture.ReferencePath);
        await page.Locator("[data-testid=reference-tile][title='reference.png']").First.ClickAsync(new() { Timeout = 30_000 });
        await page.Locator("[data-testid=reference-chosen]:has-text('reference.png')").WaitForAsync(new() { Timeout = 15_000 });

        // 4. few steps, so the edit is quick on a CPU, then submit
        var steps = page.Locator("input[data-testid=steps], [data-testid=steps] input").First;
        await steps.FillAsync("2");
        await steps.PressAsync("Tab");
        await page.Locator("[data-testid=submit-edit]:not([disabled])").ClickAsync(new() { Timeout = 15_000 });

        // 5. the result: the edited player loads a video with a duration
        var edited = page.Locator("[data-testid=result-edited]");
        await edited.WaitForAsync(new() { Timeout = 240_000 });
        await page.WaitForFunctionAsync(
            "() => { const v = document.querySelector('[data-testid=result-edited]'); return v && v.readyState >= 1 && v.duration > 0; }", null, new() { Timeout = 30_000 });
        var duration = await edited.EvaluateAsync<double>("v => v.duration");
        Assert.InRange(duration, 0.5, 60);
        await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("video-edit-result.png"), FullPage = true });

        // and the downloaded file is an H.264 mp4 that ffprobe reads
        var href = await page.Locator("[data-testid=download-edited]").GetAttributeAsync("href");
        using var http = new HttpClient { BaseAddress = fixture.Studio.BaseAddress };
        var file = Path.Combine(fixture.Work, "edited.mp4");
        await File.WriteAllBytesAsync(file, await http.GetByteArrayAsync(new Uri(href!, UriKind.Relative), Ct), Ct);
        Assert.Equal("h264", await ProbeCodecAsync(file));
    });

    private static async Task<string> ProbeCodecAsync(string path)
    {
        var start = new ProcessStartInfo("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name", "-of", "csv=p=0", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync(Ct));
        return output.Trim();
    }

    /// <summary>A models folder holding a one-step video editor, a world clip with its reference image, and the published
    /// studio pointed at them.</summary>
    public sealed class VideoEditStudio : IAsyncLifetime
    {
        private StudioProcess? _studio;

        public string Work { get; } = Directory.CreateTempSubdirectory("mediastudio-e2e-video-").FullName;

        public StudioProcess Studio => _studio ?? throw new InvalidOperationException("not started");

        public string ClipPath => Path.Combine(Work, "world", "clip-0", "clip.mp4");

        public string ReferencePath => Path.Combine(Work, "reference.png");

        public async ValueTask InitializeAsync()
        {
            var models = Path.Combine(Work, "models");
            await RunCliAsync(["train", "video-editor", "--steps", "1", "--batch", "1", "--out", Path.Combine(models, "video-editor"), "--checkpoint", Path.Combine(Work, "train", "checkpoint.bin")]);
            await RunCliAsync(["dataset", "preview", "--out", Path.Combine(Work, "world"), "--images", "1", "--clips", "1"]);
            File.Copy(Path.Combine(Work, "world", "clip-0", "reference.png"), ReferencePath);
            _studio = StudioProcess.Start(AppLocations.Published(), ["--MediaStudio:Models:Path", models, "--MediaStudio:Queue:TorchThreads", "1"]);
            await _studio.WaitHealthyAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            if (_studio is not null)
            {
                await _studio.DisposeAsync();
            }

            Directory.Delete(Work, recursive: true);
        }

        private static async Task RunCliAsync(string[] arguments)
        {
            await using var cli = StudioProcess.StartCli(arguments);
            var code = await cli.WaitForExitAsync(TimeSpan.FromMinutes(5), CancellationToken.None);
            Assert.True(code == 0, string.Create(CultureInfo.InvariantCulture, $"mediastudio {string.Join(' ', arguments)} exited with {code}:\n{cli.StandardError}\n{cli.StandardOutput}"));
        }
    }
}
