using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Scenes;

namespace MediaStudio.Synthetic.Tests.Captions;

public sealed class CaptionParserTests
{
    [Fact]
    public void Parse_EveryGeneratedCaption_GivesBackTheLabel()
    {
        var options = new SceneSamplerOptions { DegradationRate = 0.5 };
        for (var seed = 0; seed < 600; seed++)
        {
            var label = SceneSampler.Sample(seed, options).Label;
            foreach (var caption in Captioner.Captions(label, seed, 4))
            {
                var parsed = CaptionParser.Parse(caption);
                Assert.True(label.ToJson() == parsed.ToJson(), $"seed {seed}: '{caption}'\nexpected {label.ToJson()}\nparsed   {parsed.ToJson()}");
            }
        }
    }

    [Fact]
    public void Captions_OneScene_GivesSeveralDistinctWordings()
    {
        var label = SceneSampler.Sample(7).Label;

        var captions = Captioner.Captions(label, 7, 4);

        Assert.Equal(4, captions.Count);
        Assert.Equal(4, captions.Distinct().Count());
    }

    [Theory]
    [InlineData("A blurry photo of a small red star on the left on a plain white background")]
    [InlineData("a large blue circle in the middle against a blue-to-white gradient backdrop, with heavy noise")]
    public void Parse_HandWrittenCaption_ReadsDegradationsAndBackground(string caption)
    {
        var label = CaptionParser.Parse(caption);

        Assert.Single(label.Objects);
        Assert.Single(label.Degradations);
    }

    [Theory]
    [InlineData("a red star on the left")]
    [InlineData("a small red thing on the left on a plain white background")]
    [InlineData("a small red star on a plain white background")]
    public void Parse_IncompleteCaption_ThrowsWithReason(string caption)
    {
        var e = Assert.Throws<CaptionParseException>(() => CaptionParser.Parse(caption));

        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }
}
