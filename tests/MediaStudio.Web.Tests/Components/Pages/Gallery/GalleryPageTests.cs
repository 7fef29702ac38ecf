using Bunit;
using MediaStudio.Media.Images;
using MediaStudio.Media.Images.Metadata;
using MediaStudio.Web.Components.Pages.Gallery;
using MediaStudio.Web.Services;
using MediaStudio.Web.Tests.Endpoints;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MediaStudio.Web.Tests.Components.Pages.Gallery;

[Collection(nameof(JobsApiTests))]
public sealed class GalleryPageTests : BunitContext, IClassFixture<StudioServer>
{
    private readonly StudioServer _server;
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;

    public GalleryPageTests(StudioServer server)
    {
        _server = server;
        this.UseStudio(server);
        _dialogs = Render<MudDialogProvider>();
    }

    [Fact]
    public void Upload_NonImage_ShowsTheReasonAndAddsNothing()
    {
        var page = Render<GalleryPage>();
        var before = page.FindAll("[data-testid=gallery-tile]").Count;

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("just words", "notes.txt"));

        Assert.Contains("notes.txt: not a supported image", page.WaitForElement("[data-testid=upload-error]").TextContent, StringComparison.Ordinal);
        Assert.Equal(before, page.FindAll("[data-testid=gallery-tile]").Count);
    }

    [Fact]
    public void Upload_A1111Png_AppearsWithItsSettingsAndReuseLink()
    {
        var image = new RgbImage(8, 8);
        using var png = new MemoryStream();
        PngTextChunks.EncodePng(image, png, [new("parameters", "gallery fox\nSteps: 9, Sampler: DDIM, CFG scale: 3, Seed: 11")]);
        var page = Render<GalleryPage>();

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(png.ToArray(), "fox.png", contentType: "image/png"));
        page.WaitForAssertion(() => Assert.Contains(page.FindAll("[data-testid=gallery-tile]"), t => t.GetAttribute("title") == "fox.png"), TimeSpan.FromSeconds(10));
        page.FindAll("[data-testid=gallery-tile]").First(t => t.GetAttribute("title") == "fox.png").Click();

        var details = page.Find("[data-testid=asset-details]");
        Assert.Contains("gallery fox", details.TextContent, StringComparison.Ordinal);
        Assert.StartsWith("create?from=", page.Find("[data-testid=reuse-settings]").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromptFilter_Typed_ShowsOnlyMatchingImages()
    {
        await UploadAsync("filter-a.png", "a violet teapot\nSteps: 9, Sampler: DDIM, CFG scale: 3, Seed: 1");
        await UploadAsync("filter-b.png", "a green kettle\nSteps: 9, Sampler: DDIM, CFG scale: 3, Seed: 2");
        var page = Render<GalleryPage>();

        var search = page.Find("[data-testid=gallery-search]");
        (search.TagName == "INPUT" ? search : search.QuerySelector("input")!).Input("VIOLET teapot");

        page.WaitForAssertion(() => Assert.Equal(["filter-a.png"], page.FindAll("[data-testid=gallery-tile]").Select(t => t.GetAttribute("title"))), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Search_CaptionWords_FindsTheCaptionedImageOnly()
    {
        var captioned = await UploadAsync("caption-a.png", "a plain prompt\nSteps: 9, Sampler: DDIM, CFG scale: 3, Seed: 1");
        await UploadAsync("caption-b.png", "another plain prompt\nSteps: 9, Sampler: DDIM, CFG scale: 3, Seed: 2");
        await StoreCaptionAsync(captioned.Id, "a large orange hexagon in the lower right");
        var page = Render<GalleryPage>();

        var search = page.Find("[data-testid=gallery-search]");
        (search.TagName == "INPUT" ? search : search.QuerySelector("input")!).Input("Orange Hexagon");

        page.WaitForAssertion(() => Assert.Equal(["caption-a.png"], page.FindAll("[data-testid=gallery-tile]").Select(t => t.GetAttribute("title"))), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Library_TextFilter_MatchesCaptionPromptAndFileName()
    {
        var byCaption = await UploadAsync("lib-1.png", "first\nSteps: 9, Sampler: DDIM, CFG scale: 3, Seed: 1");
        var byPrompt = await UploadAsync("lib-2.png", "a cobalt lantern\nSteps: 9, Sampler: DDIM, CFG scale: 3, Seed: 2");
        await StoreCaptionAsync(byCaption.Id, "a small cobalt lantern at the top");
        var library = _server.App.Services.GetRequiredService<AssetLibrary>();

        var found = await library.ListAsync(new GalleryFilter(Text: "cobalt lantern"), Xunit.TestContext.Current.CancellationToken);

        Assert.Equal([byCaption.Id, byPrompt.Id], found.Select(a => a.Id).Where(id => id == byCaption.Id || id == byPrompt.Id).Order());
    }

    [Fact]
    public async Task Panel_CaptionedImage_ShowsTheCaptionAndCaptionAgain()
    {
        var asset = await UploadAsync("panel-captioned.png", "p\nSteps: 9, Sampler: DDIM, CFG scale: 3, Seed: 1");
        await StoreCaptionAsync(asset.Id, "two green stars move apart");
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo($"gallery?asset={asset.Id}");
        var page = Render<GalleryPage>();

        Assert.Equal("two green stars move apart", page.Find("[data-testid=asset-caption]").TextContent.Trim());
        Assert.Equal("Caption again", page.Find("[data-testid=caption-action]").TextContent.Trim());
    }

    [Fact]
    public async Task Panel_UncaptionedImage_SaysSoAndOffersCaption()
    {
        var asset = await UploadAsync("panel-bare.png", "p\nSteps: 9, Sampler: DDIM, CFG scale: 3, Seed: 1");
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo($"gallery?asset={asset.Id}");
        var page = Render<GalleryPage>();

        Assert.Equal("No caption yet.", page.Find("[data-testid=asset-caption]").TextContent.Trim());
        Assert.Equal("Caption", page.Find("[data-testid=caption-action]").TextContent.Trim());
    }

    [Fact]
    public async Task EditedVideo_Selected_PlaysInThePanelWithItsSettings()
    {
        var video = await StoreEditedVideoAsync("""{"kind":"video-edit","steps":12,"guidance":3.5,"seed":99,"pasteBack":true,"frames":16}""");
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo($"gallery?asset={video.Id}");
        var page = Render<GalleryPage>();

        Assert.Contains(page.FindAll("[data-testid=gallery-tile] video"), v => v.GetAttribute("src") == $"api/assets/{video.Id}/content");
        Assert.Equal($"api/assets/{video.Id}/content", page.Find("[data-testid=asset-video]").GetAttribute("src"));
        var settings = page.Find("[data-testid=asset-settings]").TextContent;
        Assert.Contains("video-edit", settings, StringComparison.Ordinal);
        Assert.Contains("99", settings, StringComparison.Ordinal);
        Assert.True(page.Find("[data-testid=reuse-settings]").HasAttribute("disabled") || page.Find("[data-testid=reuse-settings]").ClassList.Contains("mud-button-disabled"));
    }

    [Fact]
    public async Task CaptionAction_Clicked_RunsTheCaptionJobAndShowsTheStoredCaption()
    {
        lock (_server)
        {
            if (!MediaStudio.Jobs.Captions.CaptionOptions.IsInstalled(_server.ModelsPath))
            {
                MediaStudio.Tests.Shared.TinyCaptioner.Write(_server.ModelsPath);
            }
        }

        var asset = await UploadAsync("to-caption.png", "p\nSteps: 9, Sampler: DDIM, CFG scale: 3, Seed: 1");
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo($"gallery?asset={asset.Id}");
        var page = Render<GalleryPage>();

        page.Find("[data-testid=caption-action]").Click();

        page.WaitForAssertion(() => Assert.Equal("Caption again", page.Find("[data-testid=caption-action]").TextContent.Trim()), TimeSpan.FromSeconds(90));
        var stored = (await _server.App.Services.GetRequiredService<AssetLibrary>().FindAsync(asset.Id, Xunit.TestContext.Current.CancellationToken))!.Caption;
        Assert.NotNull(stored);
        Assert.Equal(stored.Trim(), page.Find("[data-testid=asset-caption]").TextContent.Trim());
    }

    [Fact]
    public async Task Delete_Confirmed_RemovesTheImage()
    {
        var asset = await UploadAsync("doomed.png", "to be deleted\nSteps: 9, Sampler: DDIM, CFG scale: 3, Seed: 1");
        var page = Render<GalleryPage>();
        page.FindAll("[data-testid=gallery-tile]").First(t => t.GetAttribute("title") == "doomed.png").Click();

        page.Find("[data-testid=delete]").Click();
        FindDialogButton("Delete").Click();

        page.WaitForAssertion(() => Assert.DoesNotContain(page.FindAll("[data-testid=gallery-tile]"), t => t.GetAttribute("title") == "doomed.png"));
        Assert.Null(await _server.App.Services.GetRequiredService<AssetLibrary>().FindAsync(asset.Id, Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Delete_Kept_LeavesTheImage()
    {
        var asset = await UploadAsync("kept.png", "kept\nSteps: 9, Sampler: DDIM, CFG scale: 3, Seed: 1");
        var page = Render<GalleryPage>();
        page.FindAll("[data-testid=gallery-tile]").First(t => t.GetAttribute("title") == "kept.png").Click();

        page.Find("[data-testid=delete]").Click();
        FindDialogButton("Keep").Click();

        Assert.NotNull(await _server.App.Services.GetRequiredService<AssetLibrary>().FindAsync(asset.Id, Xunit.TestContext.Current.CancellationToken));
    }

    private AngleSharp.Dom.IElement FindDialogButton(string text)
    {
        _dialogs.WaitForAssertion(() => Assert.NotEmpty(_dialogs.FindAll(".mud-dialog button")));
        return _dialogs.FindAll(".mud-dialog button").First(b => b.TextContent.Contains(text, StringComparison.OrdinalIgnoreCase));
    }

    // what a finished video-edit job leaves behind: an mp4 output row with its settings
    private async Task<MediaStudio.Core.Assets.AssetRecord> StoreEditedVideoAsync(string metadataJson)
    {
        var blob = await _server.App.Services.GetRequiredService<MediaStudio.Core.Assets.IBlobStore>().PutAsync(new MemoryStream([0, 0, 0, 24, 102, 116, 121, 112]), 1024, Xunit.TestContext.Current.CancellationToken);
        var asset = new MediaStudio.Core.Assets.AssetRecord
        {
            Id = Guid.CreateVersion7(),
            OwnerId = MediaStudio.Core.Owners.Owner.Local,
            Kind = MediaStudio.Core.Assets.AssetKind.Output,
            MediaType = "video/mp4",
            Sha256 = blob.Sha256,
            SizeBytes = blob.SizeBytes,
            Width = 64,
            Height = 64,
            DurationSeconds = 2,
            MetadataJson = metadataJson,
            FileName = "clip-edited.mp4",
            SourceJobId = Guid.CreateVersion7(),
            Slot = "video",
            CreatedAt = TimeProvider.System.GetUtcNow(),
        };
        await using var scope = _server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MediaStudio.Core.Persistence.StudioDbContext>();
        db.Assets.Add(asset);
        await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        return asset;
    }

    // what a finished caption job leaves behind: the caption on the asset row
    private async Task StoreCaptionAsync(Guid assetId, string caption)
    {
        await using var scope = _server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MediaStudio.Core.Persistence.StudioDbContext>();
        await db.Assets.Where(a => a.Id == assetId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Caption, caption), Xunit.TestContext.Current.CancellationToken);
    }

    private Task<MediaStudio.Core.Assets.AssetRecord> UploadAsync(string name, string parameters)
    {
        using var png = new MemoryStream();
        PngTextChunks.EncodePng(new RgbImage(8, 8), png, [new("parameters", parameters)]);
        png.Position = 0;
        return _server.App.Services.GetRequiredService<AssetLibrary>().UploadImageAsync(png, name, Xunit.TestContext.Current.CancellationToken);
    }
}
