using Bunit;
using MediaStudio.Media.Images;
using MediaStudio.Media.Images.Metadata;
using MediaStudio.Web.Components.Pages.Gallery;
using MediaStudio.Web.Tests.Endpoints;
using Microsoft.AspNetCore.Components.Forms;

namespace MediaStudio.Web.Tests.Components.Pages.Gallery;

[Collection(nameof(JobsApiTests))]
public sealed class GalleryPageTests : BunitContext, IClassFixture<StudioServer>
{
    public GalleryPageTests(StudioServer server) => this.UseStudio(server);

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
}
