using Bunit;
using Microsoft.AspNetCore.Components;
using MediaStudio.Jobs.Models;
using MediaStudio.Web.Components.Pages.Create;
using MediaStudio.Web.Services;
using MediaStudio.Web.Tests.Endpoints;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace MediaStudio.Web.Tests.Components.Pages.Create;

[Collection(nameof(JobsApiTests))]
public sealed class CreatePageResultsTests : BunitContext, IClassFixture<PaintingStudio>
{
    private readonly PaintingStudio _studio;

    public CreatePageResultsTests(PaintingStudio studio)
    {
        _studio = studio;
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddSingleton(studio.Services.GetRequiredService<JobBoard>());
        Services.AddSingleton(studio.Services.GetRequiredService<AssetLibrary>());
        Services.AddSingleton(new NegativeEmbeddingCatalog(Microsoft.Extensions.Options.Options.Create(new ModelRegistryOptions { Path = studio.DataPath })));
        Services.AddSingleton(TimeProvider.System);
        Render<MudPopoverProvider>();
    }

    [Fact]
    public void Generate_ThreeImages_ShowsThemInPlaceInSlotOrder()
    {
        var page = Render<CreatePage>();
        page.Find("textarea").Input("three flat squares");
        page.FindAll("input").Single(i => i.GetAttribute("value") == "1").Change("3"); // count

        page.FindAll("button").First(b => b.TextContent.Contains("Generate", StringComparison.Ordinal)).Click();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=job-images] img").Count), TimeSpan.FromSeconds(60));
        Assert.Equal(["image-0", "image-1", "image-2"], page.FindAll("[data-testid=job-images] img").Select(i => i.GetAttribute("alt")));
        Assert.Contains("succeeded", page.Find("[data-testid=job-status]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReuseSettings_FromAnOutput_FillsTheFormWithTheSeedUsed()
    {
        var board = _studio.Services.GetRequiredService<JobBoard>();
        var job = await board.SubmitAsync("text-to-image", new MediaStudio.Jobs.Generation.TextToImageSpec("reuse me", Seed: 4242, Steps: 9).ToJson(), Xunit.TestContext.Current.CancellationToken);
        JobSnapshot? done = null;
        for (var i = 0; i < 1200 && done?.Outputs.Count is not > 0; i++)
        {
            await Task.Delay(50, Xunit.TestContext.Current.CancellationToken);
            done = await board.GetAsync(job.Id, Xunit.TestContext.Current.CancellationToken);
        }

        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(navigation.GetUriWithQueryParameter("from", done!.Outputs[0].Id.ToString()));
        var page = Render<CreatePage>();

        page.WaitForAssertion(() => Assert.Equal("reuse me", page.Find("textarea").GetAttribute("value") ?? page.Find("textarea").TextContent));
        Assert.Contains(page.FindAll("input"), i => i.GetAttribute("value") == "4242");
        Assert.Contains(page.FindAll("input"), i => i.GetAttribute("value") == "9");
    }
}
