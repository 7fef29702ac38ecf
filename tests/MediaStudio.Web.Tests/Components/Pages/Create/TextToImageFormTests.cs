using Bunit;
using MediaStudio.Jobs.Generation;
using MediaStudio.Web.Components.Pages.Create;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;
using MudBlazor.Services;

namespace MediaStudio.Web.Tests.Components.Pages.Create;

public sealed class TextToImageFormTests : BunitContext
{
    private readonly List<TextToImageSpec> _submitted = [];

    public TextToImageFormTests()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Render<MudPopoverProvider>();
    }

    [Fact]
    public void Generate_EmptyPrompt_ShowsMessageAndDoesNotSubmit()
    {
        var form = RenderForm();

        ClickGenerate(form);

        Assert.Empty(_submitted);
        Assert.Contains("is empty", form.Find(".mud-input-helper-text.mud-input-error").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_OutOfRangeSteps_NamesTheFieldAndValue()
    {
        var form = RenderForm(new TextToImageSpec("a cat", Steps: 0, Count: 65));

        ClickGenerate(form);

        var messages = form.FindAll(".mud-input-error").Select(e => e.TextContent).ToList();
        Assert.Empty(_submitted);
        Assert.Contains(messages, m => m.Contains("0 is outside 1 to 200", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("65 is outside 1 to 64", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_TypedPrompt_SubmitsSpecWithRandomSeed()
    {
        var form = RenderForm();

        form.Find("textarea").Input("a red circle");
        ClickGenerate(form);

        var spec = Assert.Single(_submitted);
        Assert.Equal("a red circle", spec.Prompt);
        Assert.Null(spec.Seed);
        Assert.Empty(spec.Validate());
    }

    [Fact]
    public void Dice_Clicked_FixesANewSeedThatIsSubmitted()
    {
        var form = RenderForm(new TextToImageSpec("a cat"));

        form.Find("button[aria-label='Roll seed']").Click();
        ClickGenerate(form);
        form.Find("button[aria-label='Roll seed']").Click();
        ClickGenerate(form);

        Assert.Equal(2, _submitted.Count);
        Assert.All(_submitted, s => Assert.NotNull(s.Seed));
        Assert.All(_submitted, s => Assert.InRange(s.Seed!.Value, 0, int.MaxValue));
    }

    [Fact]
    public void CtrlEnter_InTheForm_Submits()
    {
        var form = RenderForm();
        form.Find("textarea").Input("a blue square");

        form.Find("[data-testid=create-form]").KeyDown(new KeyboardEventArgs { Key = "Enter", CtrlKey = true });
        form.Find("[data-testid=create-form]").KeyDown(new KeyboardEventArgs { Key = "Enter" }); // plain Enter is a new line, not a submit

        Assert.Equal("a blue square", Assert.Single(_submitted).Prompt);
    }

    [Fact]
    public void Initial_NewSpec_FillsTheFormAndKeepsItsSeed()
    {
        var form = RenderForm(new TextToImageSpec("first"));

        form.Render(p => p.Add(f => f.Initial, new TextToImageSpec("from a png", TextToImageSpec.NegativeFromPrompt, "blurry", Seed: 42, Steps: 12, Sampler: "euler_a")));
        ClickGenerate(form);

        Assert.Equal(new TextToImageSpec("from a png", TextToImageSpec.NegativeFromPrompt, "blurry", Seed: 42, Steps: 12, Sampler: "euler_a"), Assert.Single(_submitted));
        Assert.Contains("blurry", form.FindAll("textarea").Select(t => t.GetAttribute("value") ?? t.TextContent));
    }

    [Fact]
    public void ServerErrors_Given_AreShownAtTheirField()
    {
        var form = RenderForm(new TextToImageSpec("a cat"));

        form.Render(p => p.Add(f => f.ServerErrors, ["steps: at most 50 for this model"]));

        Assert.Contains("at most 50 for this model", form.Find(".mud-input-helper-text.mud-input-error").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ByField_Problems_KeyedByFieldName()
    {
        var fields = TextToImageForm.ByField(["steps: 0 is outside 1 to 200", "no field here", "steps: second"]);

        Assert.Equal("0 is outside 1 to 200", fields["steps"]);
        Assert.Equal("no field here", fields["spec"]);
    }

    private IRenderedComponent<TextToImageForm> RenderForm(TextToImageSpec? initial = null) =>
        Render<TextToImageForm>(p => p
            .Add(f => f.Initial, initial)
            .Add(f => f.OnSubmit, spec => _submitted.Add(spec)));

    private static void ClickGenerate(IRenderedComponent<TextToImageForm> form) =>
        form.FindAll("button").First(b => b.TextContent.Contains("Generate", StringComparison.Ordinal)).Click();
}
