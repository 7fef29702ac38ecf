using MediaStudio.Jobs.Generation;
using MediaStudio.Web.Components.Pages.Create;

namespace MediaStudio.Web.Tests.Components.Pages.Create;

public sealed class TextToImageDraftTests
{
    [Fact]
    public void FromThenToSpec_FullSpec_RoundTrips()
    {
        var spec = new TextToImageSpec("a cat", TextToImageSpec.NegativeFromEmbedding, null, "soft-blur", Refine: true, Seed: 7, Steps: 30, Guidance: 6.5, Sampler: "ddim", Width: 128, Height: 96, Count: 3);

        Assert.Equal(spec, TextToImageDraft.From(spec).ToSpec());
    }

    [Fact]
    public void ToSpec_FieldsOfOtherModes_AreLeftOut()
    {
        var draft = TextToImageDraft.From(new TextToImageSpec("  a cat  "));
        draft.NegativePrompt = "blurry";
        draft.NegativeEmbedding = "soft-blur";
        draft.Refine = true;

        var spec = draft.ToSpec();

        Assert.Equal(new TextToImageSpec("a cat"), spec);
        Assert.Empty(spec.Validate());
    }
}
