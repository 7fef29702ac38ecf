using MediaStudio.Jobs.Generation;
using MediaStudio.Media.Images.Metadata;
using MediaStudio.Web.Services;

namespace MediaStudio.Web.Tests.Services;

public sealed class GenerationSettingsTests
{
    [Fact]
    public void FromInfoText_A1111Parameters_FillsEveryMappedField()
    {
        var info = InfoText.Parse(
            "a lighthouse at dusk, oil painting\nNegative prompt: lowres, blurry\n" +
            "Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 1234567890, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly");

        var imported = GenerationSettings.FromInfoText(info);

        Assert.Equal(
            new TextToImageSpec("a lighthouse at dusk, oil painting", TextToImageSpec.NegativeFromPrompt, "lowres, blurry", Seed: 1234567890, Steps: 28, Guidance: 7.5, Sampler: "dpmpp_2m", Width: 512, Height: 768),
            imported.Spec);
        Assert.Equal("AUTOMATIC1111", imported.Source);
        Assert.Contains(imported.Notes, n => n.Contains("v1-5-pruned-emaonly", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Euler a", "euler_a")]
    [InlineData("DPM++ 2M", "dpmpp_2m")]
    [InlineData("DPM++ 2M Karras", "dpmpp_2m")]
    [InlineData("DDIM", "ddim")]
    [InlineData("ddpm", "ddpm")]
    [InlineData("Euler", null)]
    [InlineData("DPM++ 2M SDE Karras", null)]
    [InlineData("UniPC", null)]
    public void SamplerFromA1111_Names_MapToOursOrNothing(string a1111, string? ours)
    {
        Assert.Equal(ours, GenerationSettings.SamplerFromA1111(a1111));
    }

    [Fact]
    public void FromInfoText_UnknownSampler_KeepsDefaultAndSaysSo()
    {
        var imported = GenerationSettings.FromInfoText(InfoText.Parse("a cat\nSteps: 20, Sampler: UniPC, CFG scale: 7, Seed: 5"));

        Assert.Equal("dpmpp_2m", imported.Spec.Sampler);
        Assert.Contains("sampler 'UniPC' has no equivalent here; kept dpmpp_2m", imported.Notes);
    }

    [Fact]
    public void FromMetadataJson_SpecPlusSeed_UsesTheSeedActuallyUsed()
    {
        var json = new TextToImageSpec("a red circle", Steps: 12, Count: 4).ToJson().Replace("\"seed\":null", "\"seed\":991", StringComparison.Ordinal);

        var imported = GenerationSettings.FromMetadataJson(json);

        Assert.Equal(new TextToImageSpec("a red circle", Seed: 991, Steps: 12, Count: 4), imported!.Spec);
    }

    [Fact]
    public void FromMetadataJson_WrappedSpecOrInfotextOrNothing_AreEachUnderstood()
    {
        var wrapped = GenerationSettings.FromMetadataJson("""{"spec":{"prompt":"a dog","steps":7},"seed":3}""");
        var upload = GenerationSettings.FromMetadataJson("""{"parameters":"a fox\nSteps: 9, Sampler: DDIM, CFG scale: 2, Seed: 1"}""");

        Assert.Equal(new TextToImageSpec("a dog", Seed: 3, Steps: 7), wrapped!.Spec);
        Assert.Equal(("a fox", 9, "ddim"), (upload!.Spec.Prompt, upload.Spec.Steps, upload.Spec.Sampler));
        Assert.Null(GenerationSettings.FromMetadataJson("""{"format":"PNG"}"""));
        Assert.Null(GenerationSettings.FromMetadataJson("not json"));
        Assert.Null(GenerationSettings.FromMetadataJson(null));
    }

    [Fact]
    public void FromImage_StudioChunk_WinsOverInfotext()
    {
        using var spec = System.Text.Json.JsonDocument.Parse(new TextToImageSpec("ours", Steps: 8).ToJson());
        var settings = new ImageSettings(
            new StudioImageRecord("text-to-image", spec.RootElement.Clone(), 17, new Dictionary<string, string>()),
            InfoText.Parse("theirs\nSteps: 30, Sampler: DDIM, CFG scale: 7"));

        var imported = GenerationSettings.FromImage(settings);

        Assert.Equal(new TextToImageSpec("ours", Seed: 17, Steps: 8), imported!.Spec);
    }

    [Fact]
    public void Describe_NestedJson_FlattensToLabelledRows()
    {
        var rows = GenerationSettings.Describe("""{"prompt":"a cat","seed":4,"models":{"unet":"ab12"},"tags":["x","y"],"negativePrompt":null}""");

        Assert.Equal(
            [new("prompt", "a cat"), new("seed", "4"), new("models.unet", "ab12"), new("tags", "x, y"), new("negativePrompt", "—")],
            rows);
    }
}
