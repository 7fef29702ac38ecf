using Markdig;
using System.Globalization;
using MediaStudio.Jobs.Models;
using Microsoft.Extensions.Options;

namespace MediaStudio.Web.Services;

/// <summary>The bundled model folders under the configured models path (<c>negatives</c> is left out: the Negatives page
/// shows it), each with its <c>CARD.md</c> split into blocks and whether it has a <c>samples.png</c> grid.</summary>
public sealed class ModelCatalog(IOptions<ModelRegistryOptions> models)
{
    /// <summary>The file name of a model's sample grid.</summary>
    public const string SamplesFile = "samples.png";

    /// <summary>Gets the models folder.</summary>
    public string Root => Path.GetFullPath(models.Value.Path);

    /// <summary>Lists the model folders that hold a card or a config, by name.</summary>
    public IReadOnlyList<ModelEntry> List()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        var entries = new List<ModelEntry>();
        foreach (var folder in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            var card = Path.Combine(folder, "CARD.md");
            if (name == "negatives" || (!File.Exists(card) && !File.Exists(Path.Combine(folder, "config.json"))))
            {
                continue;
            }

            var text = File.Exists(card) ? File.ReadAllText(card) : "";
            entries.Add(new ModelEntry(name, MarkdownBlocks.Parse(text), File.Exists(Path.Combine(folder, SamplesFile))) { CardHtml = CardHtml(text) });
        }

        return entries;
    }

    /// <summary>Renders a card as HTML with Markdig: CommonMark plus pipe tables, raw HTML disabled (written as text), so a
    /// card can never inject markup or script.</summary>
    public static string CardHtml(string markdown) => Markdown.ToHtml(markdown, CardPipeline);

    private static readonly MarkdownPipeline CardPipeline = new MarkdownPipelineBuilder().UsePipeTables().DisableHtml().Build();

    /// <summary>Finds the sample grid of a model, only for a plain folder name that exists directly under the models
    /// folder; never any other path.</summary>
    /// <returns>The file's full path, or null.</returns>
    public string? SamplesPath(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64 || name.StartsWith('.') ||
            !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return null;
        }

        var root = Root;
        var folder = Path.GetFullPath(Path.Combine(root, name));
        if (!string.Equals(Path.GetDirectoryName(folder), root.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal) || !Directory.Exists(folder))
        {
            return null;
        }

        var file = Path.Combine(folder, SamplesFile);
        return File.Exists(file) ? file : null;
    }
}

/// <summary>A bundled model as the Models page shows it.</summary>
/// <param name="Name">The folder name.</param>
/// <param name="Card">Its card, as blocks (empty when it has no CARD.md).</param>
/// <param name="HasSamples">Whether it has a sample grid.</param>
public sealed record ModelEntry(string Name, IReadOnlyList<MarkdownBlock> Card, bool HasSamples)
{
    /// <summary>Gets the card rendered to safe HTML (no raw HTML from the card passes through).</summary>
    public string CardHtml { get; init; } = "";

    /// <summary>Gets the card's tables whose value columns are all percentages, as chart data.</summary>
    public IReadOnlyList<PercentTable> PercentTables =>
        Card.OfType<MarkdownTable>().Select(PercentTable.From).OfType<PercentTable>().ToList();
}

/// <summary>A markdown table whose first column labels rows and whose other columns all hold percentages.</summary>
/// <param name="Title">The heading above the table (or the first column's header).</param>
/// <param name="Labels">The row labels.</param>
/// <param name="Series">Each percentage column: its header and values (in percent).</param>
public sealed record PercentTable(string Title, IReadOnlyList<string> Labels, IReadOnlyList<KeyValuePair<string, double[]>> Series)
{
    /// <summary>Reads a table as percentages, or null when a value cell is not a percentage or the table has no rows.</summary>
    public static PercentTable? From(MarkdownTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Header.Count < 2 || table.Rows.Count == 0)
        {
            return null;
        }

        var series = new List<KeyValuePair<string, double[]>>();
        for (var c = 1; c < table.Header.Count; c++)
        {
            var values = new double[table.Rows.Count];
            for (var r = 0; r < table.Rows.Count; r++)
            {
                var cell = c < table.Rows[r].Count ? table.Rows[r][c].Trim() : string.Empty;
                if (!cell.EndsWith('%') || !double.TryParse(cell.AsSpan(0, cell.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out values[r]))
                {
                    return null;
                }
            }

            series.Add(new(table.Header[c], values));
        }

        return new PercentTable(table.Heading ?? table.Header[0], table.Rows.Select(r => r[0]).ToList(), series);
    }
}
