using MediaStudio.Web.Services;

namespace MediaStudio.Web.Tests.Services;

public sealed class MarkdownBlocksTests
{
    private const string Card = """
        # recognizer

        Reads a scene's attributes,
        one head per attribute.

        ## Measured accuracy

        | attribute | accuracy |
        | --- | --- |
        | color | 99.00% |
        | shape | 95.12% |

        - first item
          wrapped
        - second <b>item</b>

        ```
        mediastudio eval recognizer
        ```

        | metric | value |
        |---|---|
        | PSNR | 24.30 dB |
        """;

    [Fact]
    public void Parse_Card_GivesHeadingsParagraphsTablesListsAndCode()
    {
        var blocks = MarkdownBlocks.Parse(Card);

        Assert.Equal(
            [
                new MarkdownHeading(1, "recognizer"),
                new MarkdownParagraph("Reads a scene's attributes, one head per attribute."),
                new MarkdownHeading(2, "Measured accuracy"),
            ],
            blocks.Take(3));
        var table = Assert.IsType<MarkdownTable>(blocks[3]);
        Assert.Equal("Measured accuracy", table.Heading);
        Assert.Equal(["attribute", "accuracy"], table.Header);
        Assert.Equal([["color", "99.00%"], ["shape", "95.12%"]], table.Rows);
        Assert.Equal(["first item wrapped", "second <b>item</b>"], Assert.IsType<MarkdownList>(blocks[4]).Items);
        Assert.Equal("mediastudio eval recognizer", Assert.IsType<MarkdownCode>(blocks[5]).Text);
        Assert.Equal(7, blocks.Count);
    }

    [Fact]
    public void PercentTables_OnlyTablesOfPercentages_BecomeChartData()
    {
        var model = new ModelEntry("recognizer", MarkdownBlocks.Parse(Card), HasSamples: false);

        var table = Assert.Single(model.PercentTables);
        Assert.Equal("Measured accuracy", table.Title);
        Assert.Equal(["color", "shape"], table.Labels);
        var series = Assert.Single(table.Series);
        Assert.Equal("accuracy", series.Key);
        Assert.Equal([99.00, 95.12], series.Value);
    }
}
