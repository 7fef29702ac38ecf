using Bunit;
using MediaStudio.Web.Components.Pages.Create;
using MediaStudio.Web.Tests.Endpoints;

namespace MediaStudio.Web.Tests.Components.Pages.Create;

[Collection(nameof(JobsApiTests))]
public sealed class CreatePageTests : BunitContext, IClassFixture<StudioServer>
{
    public CreatePageTests(StudioServer server) => this.UseStudio(server);

    [Fact]
    public void Generate_KindNotInstalled_ShowsTheErrorInWords()
    {
        // this test host registers no text-to-image handler, as the studio before the pipeline lands
        var page = Render<CreatePage>();

        page.Find("textarea").Input("a red circle");
        page.FindAll("button").First(b => b.TextContent.Contains("Generate", StringComparison.Ordinal)).Click();

        var error = page.WaitForElement("[data-testid=submit-error]").TextContent;
        Assert.Contains("unknown job kind 'text-to-image'", error, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=job-result]"));
    }
}
