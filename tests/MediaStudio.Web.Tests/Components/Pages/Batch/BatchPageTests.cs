using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using MediaStudio.Web.Components.Pages.Batch;
using MediaStudio.Web.Tests.Endpoints;

namespace MediaStudio.Web.Tests.Components.Pages.Batch;

[Collection(nameof(JobsApiTests))]
public sealed class BatchPageTests : BunitContext, IClassFixture<StudioServer>
{
    public BatchPageTests(StudioServer server) => this.UseStudio(server);

    [Fact]
    public void Validate_NoPromptsAndBadSeeds_ShowsEachProblem()
    {
        var page = Render<BatchPage>();

        page.Find("input[data-testid=batch-seeds]").Input("1, one");
        page.Find("[data-testid=batch-validate]").Click();

        var problems = page.Find("[data-testid=batch-problems]").TextContent;
        Assert.Contains("prompts: none given", problems, StringComparison.Ordinal);
        Assert.Contains("\"one\" is not a whole number", problems, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RepeatedSeed_ShowsTheSpecsMessage()
    {
        var page = Render<BatchPage>();

        page.Find("textarea").Input("a red circle\na blue square");
        page.Find("input[data-testid=batch-seeds]").Input("3, 3");
        page.Find("[data-testid=batch-validate]").Click();

        Assert.Contains("a seed is repeated", page.Find("[data-testid=batch-problems]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadCsv_QuotedFieldsAndHeader_FillsThePromptList()
    {
        var page = Render<BatchPage>();

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("prompt,note\n\"a red circle, small\",x\na blue square,y\n", "prompts.csv", contentType: "text/csv"));

        page.WaitForAssertion(() => Assert.Equal("a red circle, small\na blue square", page.Find("textarea").GetAttribute("value") ?? page.Find("textarea").TextContent));
    }

    [Fact]
    public void Summary_PromptsAndSeeds_CountsImages()
    {
        var page = Render<BatchPage>();

        page.Find("textarea").Input("a\nb\nc");
        page.Find("input[data-testid=batch-seeds]").Input("1 2");

        Assert.Equal("3 prompts × 2 seeds = 6 images", page.Find("[data-testid=batch-summary]").TextContent);
    }

    [Fact]
    public void Submit_ValidBatch_QueuesABatchRenderJob()
    {
        var page = Render<BatchPage>();

        page.Find("textarea").Input("a red circle\na blue square");
        page.Find("input[data-testid=batch-seeds]").Input("1, 2");
        page.Find("[data-testid=batch-submit]").Click();

        page.WaitForElement("[data-testid=batch-job]");
        Assert.Empty(page.FindAll("[data-testid=batch-problems]"));
    }
}
