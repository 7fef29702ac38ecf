using MediaStudio.Web.Services;

namespace MediaStudio.Web.Tests.Services;

public sealed class BatchInputTests
{
    [Fact]
    public void PromptsFromLines_BlankLinesAndSpaces_KeepsTrimmedPrompts()
    {
        Assert.Equal(["a red circle", "a blue square"], BatchInput.PromptsFromLines("  a red circle \r\n\n\t\na blue square\n"));
    }

    [Fact]
    public void PromptsFromCsv_HeaderAndQuotedFields_ReadsFirstColumn()
    {
        const string csv = "prompt,seed\r\n\"a red circle, small\",1\r\nplain one,2\n\"say \"\"hi\"\"\nthen\",3\n\n";

        Assert.Equal(["a red circle, small", "plain one", "say \"hi\"\nthen"], BatchInput.PromptsFromCsv(csv));
    }

    [Fact]
    public void PromptsFromCsv_NoHeader_KeepsFirstRow()
    {
        Assert.Equal(["a", "b"], BatchInput.PromptsFromCsv("a\nb"));
    }

    [Theory]
    [InlineData("1, 2, 3", new long[] { 1, 2, 3 })]
    [InlineData("7 8;9", new long[] { 7, 8, 9 })]
    public void Seeds_List_ReadsEachNumber(string text, long[] expected)
    {
        var read = BatchInput.Seeds(text, new Random(1));

        Assert.Null(read.Error);
        Assert.Equal(expected, read.Seeds);
    }

    [Fact]
    public void Seeds_NRandom_DrawsNDistinctSeeds()
    {
        var read = BatchInput.Seeds("5 random", new Random(3));

        Assert.Null(read.Error);
        Assert.Equal(5, read.Seeds.Distinct().Count());
        Assert.Equal(read.Seeds, BatchInput.Seeds("5 Random", new Random(3)).Seeds);
    }

    [Theory]
    [InlineData("", "none given")]
    [InlineData("1, x", "\"x\" is not a whole number")]
    [InlineData("-4", "\"-4\" is not a whole number")]
    [InlineData("0 random", "not a count from 1 to 64")]
    [InlineData("1000 random", "not a count from 1 to 64")]
    public void Seeds_Bad_SaysWhyInWords(string text, string expected)
    {
        var read = BatchInput.Seeds(text, new Random(1));

        Assert.Empty(read.Seeds);
        Assert.Contains(expected, read.Error, StringComparison.Ordinal);
    }
}
