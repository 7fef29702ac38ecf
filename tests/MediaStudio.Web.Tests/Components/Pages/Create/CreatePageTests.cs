using Bunit;
using MediaStudio.Web.Components.Pages.Create;
using MediaStudio.Web.Tests.Endpoints;

namespace MediaStudio.Web.Tests.Components.Pages.Create;

[Collection(nameof(JobsApiTests))]
public sealed class CreatePageTests : BunitContext, IClassFixture<StudioServer>
{
    public CreatePageTests(StudioServer server) => this.UseStudio(server);

    [Fact]
    public void Generate_ValidPrompt_QueuesATextToImageJob()
    {
        // the test host has the real text-to-image kind; the job is queued whether or not models are installed
        var page = Render<CreatePage>();

        page.Find("textarea").Input("a red circle");
        page.FindAll("button").First(b => b.TextContent.Contains("Generate", StringComparison.Ordinal)).Click();

        page.WaitForElement("[data-testid=job-result]");
        Assert.Empty(page.FindAll("[data-testid=submit-error]"));
    }
}
