using Bunit;
using MediaStudio.Jobs.Generation;
using MediaStudio.Web.Components.Pages.Create;
using MediaStudio.Web.Services;
using MudBlazor;
using MudBlazor.Services;

namespace MediaStudio.Web.Tests.Components.Pages.Create;

public sealed class NegativePickerTests : BunitContext
{
    public NegativePickerTests()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Render<MudPopoverProvider>();
    }

    [Fact]
    public void Render_EmbeddingModeWithoutEmbeddings_SaysNoneYet()
    {
        var picker = Render<NegativePicker>(p => p.Add(n => n.Value, new NegativeChoice(TextToImageSpec.NegativeFromEmbedding, null, null)));

        Assert.Contains("No learned embeddings yet", picker.Find("[data-testid=no-embeddings]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ChosenEmbedding_ShowsItsCard()
    {
        NegativeEmbeddingCard[] cards =
        [
            new("soft-blur", "Pushes away blurry, washed-out renders.", [new("reward_before", "0.41"), new("reward_after", "0.63")]),
            new("other", null, []),
        ];

        var picker = Render<NegativePicker>(p => p
            .Add(n => n.Value, new NegativeChoice(TextToImageSpec.NegativeFromEmbedding, null, "soft-blur"))
            .Add(n => n.Embeddings, cards));

        var card = picker.Find("[data-testid=embedding-card]").TextContent;
        Assert.Contains("washed-out", card, StringComparison.Ordinal);
        Assert.Contains("reward_after: 0.63", card, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ChosenEmbeddingOfAnotherModel_WarnsThatGenerationRefusesIt()
    {
        NegativeEmbeddingCard[] cards = [new("old", null, [], TrainedForAnotherModel: true), new("fresh", null, [])];

        var stale = Render<NegativePicker>(p => p
            .Add(n => n.Value, new NegativeChoice(TextToImageSpec.NegativeFromEmbedding, null, "old"))
            .Add(n => n.Embeddings, cards));
        var fresh = Render<NegativePicker>(p => p
            .Add(n => n.Value, new NegativeChoice(TextToImageSpec.NegativeFromEmbedding, null, "fresh"))
            .Add(n => n.Embeddings, cards));

        Assert.Contains("trained for another text encoder", stale.Find("[data-testid=embedding-stale]").TextContent, StringComparison.Ordinal);
        Assert.Empty(fresh.FindAll("[data-testid=embedding-stale]"));
    }

    [Fact]
    public void TypingNegativePrompt_RaisesValueChangedWithoutTouchingValue()
    {
        var start = new NegativeChoice(TextToImageSpec.NegativeFromPrompt, null, null);
        NegativeChoice? raised = null;
        var picker = Render<NegativePicker>(p => p.Add(n => n.Value, start).Add(n => n.ValueChanged, choice => raised = choice));

        picker.Find("textarea").Input("blurry, lowres");

        Assert.Equal(start with { Prompt = "blurry, lowres" }, raised);
        Assert.Same(start, picker.Instance.Value);
    }

    [Fact]
    public void RefineSwitch_Toggled_RaisesRefine()
    {
        NegativeChoice? raised = null;
        var start = new NegativeChoice(TextToImageSpec.NegativeFromEmbedding, null, "soft-blur");
        var picker = Render<NegativePicker>(p => p
            .Add(n => n.Value, start)
            .Add(n => n.Embeddings, [new NegativeEmbeddingCard("soft-blur", null, [])])
            .Add(n => n.ValueChanged, choice => raised = choice));

        picker.Find("input[type=checkbox]").Change(true);

        Assert.Equal(start with { Refine = true }, raised);
    }
}
