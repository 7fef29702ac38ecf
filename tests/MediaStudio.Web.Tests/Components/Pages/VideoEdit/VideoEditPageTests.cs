using Bunit;
using MediaStudio.Core.Persistence;
using MediaStudio.Media.Images;
using MediaStudio.Media.Video;
using MediaStudio.Web.Components.Pages.VideoEdit;
using MediaStudio.Web.Services;
using MediaStudio.Web.Tests.Endpoints;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaStudio.Web.Tests.Components.Pages.VideoEdit;

[Collection(nameof(JobsApiTests))]
public sealed class VideoEditPageTests : BunitContext, IClassFixture<StudioServer>
{
    private readonly StudioServer _server;

    public VideoEditPageTests(StudioServer server)
    {
        _server = server;
        this.UseStudio(server);
    }

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async Task UploadVideo_TextFileNamedMp4_RefusedInWordsAndNothingStored()
    {
        var before = await CountAssetsAsync();
        var page = Render<VideoEditPage>();

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("#EXTM3U\n#EXT-X-VERSION:3\nhttp://example.com/a.ts\n", "clip.mp4"));

        var error = page.WaitForElement("[data-testid=video-error]").TextContent;
        Assert.StartsWith("clip.mp4 was refused: ", error, StringComparison.Ordinal);
        Assert.Equal(before, await CountAssetsAsync());
        Assert.Empty(page.FindAll("[data-testid=mask-canvas]"));
    }

    [Fact]
    public async Task UploadVideo_WrongExtension_RefusedBeforeProbing()
    {
        var before = await CountAssetsAsync();
        var page = Render<VideoEditPage>();

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(await SmallClipAsync(), "clip.avi"));

        Assert.Contains("the name must end in .mp4, .webm, .mov, .mkv", page.WaitForElement("[data-testid=video-error]").TextContent, StringComparison.Ordinal);
        Assert.Equal(before, await CountAssetsAsync());
    }

    [Fact]
    public async Task UploadVideo_SmallMp4_ShowsItsFactsAndFrameCanvasButKeepsItOutOfGallery()
    {
        var page = Render<VideoEditPage>();

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(await SmallClipAsync(), "walk.mp4", contentType: "video/mp4"));

        var facts = page.WaitForElement("[data-testid=video-facts]", TimeSpan.FromSeconds(20)).TextContent;
        Assert.StartsWith("walk.mp4: 48×32, 1", facts, StringComparison.Ordinal);
        Assert.Single(page.FindAll("[data-testid=mask-canvas]"));
        Assert.Equal("Waiting for frame 1…", page.Find("[data-testid=submit-hint]").TextContent.Trim());
        Assert.True(page.Find("[data-testid=submit-edit]").HasAttribute("disabled"));
        var listed = await _server.App.Services.GetRequiredService<AssetLibrary>().ListAsync(new GalleryFilter(Text: "walk"), Ct);
        Assert.Empty(listed);
        var frame = await FindBySlotAsync("walk-frame-1.png");
        Assert.Equal(("image/png", 48, 32), (frame.MediaType, frame.Width, frame.Height));
    }

    [Fact]
    public async Task Submit_FrameShownNothingMarked_AsksForTheMask()
    {
        var page = Render<VideoEditPage>();
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(await SmallClipAsync(), "still.mp4", contentType: "video/mp4"));
        page.WaitForElement("[data-testid=video-facts]", TimeSpan.FromSeconds(20));

        // what the canvas script reports once frame 1 is drawn
        await page.InvokeAsync(() => page.Instance.FrameReady(48, 32));

        Assert.Equal("Mark the object on frame 1 (brush or box).", page.Find("[data-testid=submit-hint]").TextContent.Trim());
        Assert.Equal("Frame 1 (48×32): nothing marked yet.", page.Find("[data-testid=mask-status]").TextContent.Trim());
    }

    [Fact]
    public async Task UploadVideoAsync_MovingBox_KeepsTheFirstFrameNotALaterOne()
    {
        var library = _server.App.Services.GetRequiredService<AssetLibrary>();

        var upload = await library.UploadVideoAsync(new MemoryStream(await SmallClipAsync()), "moving.mp4", Ct);

        await using var png = await library.OpenContentAsync(upload.FirstFrame, stripMetadata: false, Ct);
        var frame = new SafeImageCodec().Decode(png);
        var o = frame.Offset(5, 16); // inside the box on frame 1 only: it starts 4 px further right on frame 2
        Assert.Equal((48, 32), (frame.Width, frame.Height));
        Assert.True(frame.Pixels[o] > 150 && frame.Pixels[o + 1] < 110, $"pixel (5, 16) is {frame.Pixels[o]},{frame.Pixels[o + 1]},{frame.Pixels[o + 2]}, not the box's red");
    }

    private async Task<byte[]> SmallClipAsync()
    {
        var frames = Enumerable.Range(0, 8).Select(i =>
        {
            var image = new RgbImage(48, 32);
            for (var y = 8; y < 24; y++)
            {
                for (var x = 4 + (i * 4); x < 16 + (i * 4); x++)
                {
                    var o = image.Offset(x, y);
                    image.Pixels[o] = 230;
                    image.Pixels[o + 1] = 40;
                    image.Pixels[o + 2] = 40;
                }
            }

            return image;
        }).ToList();
        var path = Path.Combine(_server.DataPath, $"clip-{Guid.NewGuid():N}.mp4");
        await _server.App.Services.GetRequiredService<VideoCodec>().EncodeMp4Async(frames, path, 8, Ct);
        try
        {
            return await File.ReadAllBytesAsync(path, Ct);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async Task<MediaStudio.Core.Assets.AssetRecord> FindBySlotAsync(string fileName)
    {
        await using var scope = _server.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StudioDbContext>().Assets.AsNoTracking().SingleAsync(a => a.FileName == fileName && a.Slot == "input-frame", Ct);
    }

    private async Task<int> CountAssetsAsync()
    {
        await using var scope = _server.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StudioDbContext>().Assets.CountAsync(Ct);
    }
}
