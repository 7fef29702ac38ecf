using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace MediaStudio.EndToEnd.Tests;

/// <summary>The Queue, Gallery and Create pages in chromium against the published app. A failing scenario leaves a
/// screenshot named after it in the screenshots folder.</summary>
public sealed class StudioPagesTests(PublishedStudioFixture fixture) : IClassFixture<PublishedStudioFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public Task QueuePage_CancelRunningProbe_EndsCancelled() => Chromium.RunAsync(async page =>
    {
        // a queue-probe job long enough to be caught running: 600 steps of 100 ms
        using var http = new HttpClient { BaseAddress = fixture.Studio.BaseAddress };
        using var submitted = await http.PostAsJsonAsync(new Uri("/api/jobs", UriKind.Relative), new { kind = "queue-probe", spec = new { steps = 600, stepMilliseconds = 100 } }, Json, Ct);
        submitted.EnsureSuccessStatusCode();
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>(Json, Ct)).GetProperty("id").GetGuid();

        await Chromium.OpenAsync(page, fixture.Studio.BaseAddress, "queue");
        // this job's row: the shared studio may be running other jobs (caption jobs queued by earlier renders)
        var running = page.Locator($"tr.job-id-{id:N}.job-running");
        await running.WaitForAsync(new() { Timeout = 30_000 });
        await running.Locator("[data-testid=cancel]").ClickAsync();
        await page.Locator($"tr.job-id-{id:N}.job-cancelled").WaitForAsync(new() { Timeout = 30_000 });

        var job = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/jobs/{id}", UriKind.Relative), Json, Ct);
        Assert.Equal("cancelled", job.GetProperty("status").GetString());
        Assert.Empty(job.GetProperty("outputs").EnumerateArray());
        await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("queue.png") });
    });

    [Fact]
    public Task GalleryPage_UploadNonImage_ShowsTheReason() => Chromium.RunAsync(async page =>
    {
        await Chromium.OpenAsync(page, fixture.Studio.BaseAddress, "gallery");

        await page.SetInputFilesAsync("#gallery-upload", new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = "just some words, not pixels"u8.ToArray() });
        var error = page.Locator("[data-testid=upload-error]");
        await error.WaitForAsync(new() { Timeout = 15_000 });

        Assert.Contains("notes.txt: not a supported image", await error.InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("gallery-upload-error.png") });
    });

    [Fact]
    public Task CreatePage_DropA1111Png_FillsTheForm() => Chromium.RunAsync(async page =>
    {
        const string Prompt = "a lighthouse at dusk, oil painting";
        var png = ForeignPng(
            $"{Prompt}\nNegative prompt: lowres, blurry\nSteps: 28, Sampler: Euler a, CFG scale: 7.5, Seed: 1234567, Size: 128x96, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly");
        await Chromium.OpenAsync(page, fixture.Studio.BaseAddress, "create");

        await page.SetInputFilesAsync("[data-testid=settings-file]", new FilePayload { Name = "a1111.png", MimeType = "image/png", Buffer = png });
        await page.WaitForFunctionAsync($"() => [...document.querySelectorAll('textarea')].some(t => t.value === {JsonSerializer.Serialize(Prompt)})", null, new() { Timeout = 15_000 });

        var textareas = await page.Locator("textarea").EvaluateAllAsync<string[]>("all => all.map(t => t.value)");
        var inputs = await page.Locator("input").EvaluateAllAsync<string[]>("all => all.map(i => i.value)");
        Assert.Contains("lowres, blurry", textareas);
        Assert.Contains("28", inputs);
        Assert.Contains("7.5", inputs);
        Assert.Contains("1234567", inputs);
        Assert.Contains("128", inputs);
        Assert.Contains("96", inputs);
        await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("create-filled.png") });
    });

    // a 32x32 RGB PNG with a tEXt "parameters" chunk, written chunk by chunk as AUTOMATIC1111's PIL does
    internal static byte[] ForeignPng(string parameters)
    {
        const int Side = 32;
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, Side);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), Side);
        ihdr[8] = 8;
        ihdr[9] = 2;
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "tEXt", [.. Encoding.Latin1.GetBytes("parameters"), 0, .. Encoding.Latin1.GetBytes(parameters)]);
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (var y = 0; y < Side; y++)
            {
                zlib.WriteByte(0); // filter: none
                for (var x = 0; x < Side; x++)
                {
                    zlib.Write([(byte)(x * 255 / Side), (byte)(y * 255 / Side), 160]);
                }
            }
        }

        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        stream.Write(four);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        var crc = 0xFFFFFFFFu;
        foreach (var b in typeBytes.Concat(data))
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        BinaryPrimitives.WriteUInt32BigEndian(four, ~crc);
        stream.Write(four);
    }
}
