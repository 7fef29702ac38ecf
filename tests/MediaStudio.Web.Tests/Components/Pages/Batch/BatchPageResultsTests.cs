using Bunit;
using MediaStudio.Jobs.Models;
using MediaStudio.Web.Components.Pages.Batch;
using MediaStudio.Web.Services;
using MediaStudio.Web.Tests.Endpoints;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace MediaStudio.Web.Tests.Components.Pages.Batch;

[Collection(nameof(JobsApiTests))]
public sealed class BatchPageResultsTests : BunitContext, IClassFixture<SheetStudio>
{
    public BatchPageResultsTests(SheetStudio studio)
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddSingleton(studio.Services.GetRequiredService<JobBoard>());
        Services.AddSingleton(new NegativeEmbeddingCatalog(Microsoft.Extensions.Options.Options.Create(new ModelRegistryOptions { Path = studio.DataPath })));
        Services.AddSingleton(TimeProvider.System);
        Render<MudPopoverProvider>();
    }

    [Fact]
    public void Render_BatchDone_ShowsTheContactSheetAndTheZipLink()
    {
        var page = Render<BatchPage>();
        page.Find("textarea").Input("a red circle\na blue square");
        page.Find("input[data-testid=batch-seeds]").Input("1, 2");

        page.Find("[data-testid=batch-submit]").Click();

        page.WaitForElement("[data-testid=batch-zip]", TimeSpan.FromSeconds(60));
        var sheet = page.Find("img[data-testid=contact-sheet]").GetAttribute("src")!;
        var zip = page.Find("[data-testid=batch-zip]").GetAttribute("href")!;
        Assert.Matches("^/api/assets/[0-9a-f-]{36}/content$", sheet);
        Assert.Matches("^/api/assets/[0-9a-f-]{36}/content$", zip);
        Assert.NotEqual(sheet, zip);
        Assert.Empty(page.FindAll("[data-testid=batch-cancel]"));
    }
}
