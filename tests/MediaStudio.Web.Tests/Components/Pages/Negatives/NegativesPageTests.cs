using Bunit;
using MediaStudio.Jobs.Generation;
using MediaStudio.Web.Components.Pages.Negatives;
using MediaStudio.Web.Tests.Endpoints;

namespace MediaStudio.Web.Tests.Components.Pages.Negatives;

[Collection(nameof(JobsApiTests))]
public sealed class NegativesPageTests : BunitContext, IClassFixture<StudioServer>
{
    private readonly string _models = Directory.CreateTempSubdirectory("mediastudio-negatives-").FullName;

    public NegativesPageTests(StudioServer server) => this.UseStudio(server, _models);

    [Fact]
    public void Render_NoEmbeddings_SaysSo()
    {
        var page = Render<NegativesPage>();

        Assert.Single(page.FindAll("[data-testid=negatives-empty]"));
        Assert.Empty(page.FindAll("[data-testid=negative-card]"));
    }

    [Fact]
    public void Render_Cards_ShowRewardPromptsStepsGuidanceAndTime()
    {
        Write("global", """{"name":"global","variant":"global","tokens":4,"width":64,"prompts":["a","b","c"],"prompt_count":3,"steps":300,"guidance":5.0,"reward_before":0.412,"reward_after":0.538,"training_seconds":754.2}""");
        Write("blur", """{"name":"blur","prompt_count":1,"steps":50,"guidance":4.5,"reward_before":0.2,"reward_after":0.3,"training_seconds":5000}""");

        var page = Render<NegativesPage>();

        Assert.Equal(["blur", "global"], page.FindAll("[data-testid=negative-name]").Select(e => e.TextContent));
        var global = page.FindAll("[data-testid=negative-card]")[1];
        Assert.Equal("Reward 0.412 → 0.538", global.QuerySelector("[data-testid=negative-reward]")!.TextContent);
        Assert.Equal("3", global.QuerySelector("[data-testid=negative-prompt_count]")!.TextContent);
        Assert.Equal("300", global.QuerySelector("[data-testid=negative-steps]")!.TextContent);
        Assert.Equal("5.0", global.QuerySelector("[data-testid=negative-guidance]")!.TextContent);
        Assert.Equal("12:34", global.QuerySelector("[data-testid=negative-training_seconds]")!.TextContent);
        Assert.Equal("1:23:20", page.FindAll("[data-testid=negative-training_seconds]")[0].TextContent);
        Assert.Equal(["a", "b", "c"], global.QuerySelectorAll("[data-testid=negative-prompts] li").Select(e => e.TextContent));
        Assert.Null(global.QuerySelector("[data-testid=negative-prompts-more]"));
    }

    [Fact]
    public void Render_ManyPrompts_ListsTheFirstAndCountsTheRest()
    {
        Write("long", $$"""{"prompts":[{{string.Join(',', Enumerable.Range(1, NegativesPage.PromptsShown + 3).Select(i => $"\"p{i}\""))}}]}""");

        var page = Render<NegativesPage>();

        Assert.Equal(NegativesPage.PromptsShown, page.FindAll("[data-testid=negative-prompts] li").Count);
        Assert.Equal("and 3 more", page.Find("[data-testid=negative-prompts-more]").TextContent);
    }

    [Fact]
    public void Train_BadNameAndLongPrompt_ShowsProblemsInWordsAndQueuesNothing()
    {
        var page = Render<NegativesPage>();

        page.Find("input[data-testid=train-name]").Input("../escape");
        page.Find("textarea").Input("fine\n" + new string('x', TextToImageSpec.MaxPromptLength + 1));
        page.Find("[data-testid=train-submit]").Click();

        var problems = page.Find("[data-testid=train-problems]").TextContent;
        Assert.Contains("is not a valid embedding name", problems, StringComparison.Ordinal);
        Assert.Contains($"prompts: every prompt must be 1 to {TextToImageSpec.MaxPromptLength} characters", problems, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=train-job]"));
    }

    [Fact]
    public void Train_ValidNameAndPrompts_QueuesTheJobAndShowsItsProgress()
    {
        var page = Render<NegativesPage>();

        page.Find("input[data-testid=train-name]").Input("crisp");
        page.Find("textarea").Input("a red circle\n\na blue square");
        page.Find("[data-testid=train-submit]").Click();

        page.WaitForElement("[data-testid=train-job]");
        Assert.Empty(page.FindAll("[data-testid=train-problems]"));
        Assert.Contains("crisp", page.Find("[data-testid=train-job]").TextContent, StringComparison.Ordinal);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Directory.Delete(_models, recursive: true);
    }

    private void Write(string name, string json)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_models, "negatives", name)).FullName;
        File.WriteAllText(Path.Combine(folder, "card.json"), json);
    }
}
