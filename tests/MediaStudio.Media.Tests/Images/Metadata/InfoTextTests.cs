using MediaStudio.Media.Images.Metadata;

namespace MediaStudio.Media.Tests.Images.Metadata;

public sealed class InfoTextTests
{
    // as A1111 1.6 writes it (layout of the example in A1111 issue #7773)
    private const string A1111 =
        "masterpiece, best quality, a lighthouse at dusk\nNegative prompt: lowres, bad anatomy, blurry\n" +
        "Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 1234567890, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Version: v1.6.0";

    [Fact]
    public void Parse_A1111Infotext_ReadsPromptsAndEveryField()
    {
        var info = InfoText.Parse(A1111);

        Assert.Equal("masterpiece, best quality, a lighthouse at dusk", info.Prompt);
        Assert.Equal("lowres, bad anatomy, blurry", info.NegativePrompt);
        Assert.Equal(28, info.Steps);
        Assert.Equal("DPM++ 2M Karras", info.Sampler);
        Assert.Equal(7.5, info.CfgScale);
        Assert.Equal(1234567890L, info.Seed);
        Assert.Equal((512, 768), info.Size);
        Assert.Equal("v1-5-pruned-emaonly", info.Model);
        Assert.Equal("6ce0161689", info["Model hash"]);
        Assert.Equal(8, info.Fields.Count);
    }

    [Fact]
    public void Parse_MultiLinePromptsWithoutNegative_KeepsLines()
    {
        var info = InfoText.Parse("line one\nline two\nSteps: 5, Sampler: Euler a, CFG scale: 2, Seed: 3");

        Assert.Equal("line one\nline two", info.Prompt);
        Assert.Null(info.NegativePrompt);
        Assert.Equal("Euler a", info.Sampler);
    }

    [Fact]
    public void Parse_OnlyAPrompt_HasNoFields()
    {
        var info = InfoText.Parse("just a prompt: with a colon");

        Assert.Equal("just a prompt: with a colon", info.Prompt);
        Assert.Empty(info.Fields);
        Assert.Null(info.Steps);
    }

    [Fact]
    public void ToString_ValueWithComma_IsJsonQuotedAndParsesBack()
    {
        var info = InfoText.Create("a cat", null, 20, "Euler a", 5, 123, 64, 64, "tiny", [new("Negative embedding", "soft, blurry")]);

        var text = info.ToString();
        var back = InfoText.Parse(text);

        Assert.Equal("a cat\nSteps: 20, Sampler: Euler a, CFG scale: 5, Seed: 123, Size: 64x64, Model: tiny, Negative embedding: \"soft, blurry\"", text);
        Assert.Equal("soft, blurry", back["Negative embedding"]);
        Assert.Equal(info.Fields, back.Fields);
    }
}
