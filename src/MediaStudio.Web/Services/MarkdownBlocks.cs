namespace MediaStudio.Web.Services;

/// <summary>Splits a model card's markdown into blocks the page renders as components: headings, paragraphs, lists,
/// code and tables. Raw HTML is never interpreted: every block is text.</summary>
public static class MarkdownBlocks
{
    /// <summary>Parses markdown into blocks.</summary>
    public static IReadOnlyList<MarkdownBlock> Parse(string? markdown)
    {
        var lines = (markdown ?? string.Empty).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var blocks = new List<MarkdownBlock>();
        string? heading = null;
        var i = 0;
        while (i < lines.Length)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                i++;
            }
            else if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                var code = new List<string>();
                for (i++; i < lines.Length && !lines[i].Trim().StartsWith("```", StringComparison.Ordinal); i++)
                {
                    code.Add(lines[i]);
                }

                i++;
                blocks.Add(new MarkdownCode(string.Join('\n', code)));
            }
            else if (trimmed.StartsWith('#'))
            {
                var level = trimmed.TakeWhile(c => c == '#').Count();
                heading = trimmed[level..].Trim();
                blocks.Add(new MarkdownHeading(Math.Min(level, 6), heading));
                i++;
            }
            else if (trimmed.StartsWith('|'))
            {
                var rows = new List<IReadOnlyList<string>>();
                for (; i < lines.Length && lines[i].Trim().StartsWith('|'); i++)
                {
                    rows.Add(Cells(lines[i].Trim()));
                }

                var body = rows.Skip(1).Where(r => !r.All(c => c.Length > 0 && c.All(ch => ch is '-' or ':' or ' '))).ToList();
                blocks.Add(new MarkdownTable(heading, rows[0], body));
            }
            else if (IsItem(trimmed))
            {
                var items = new List<string>();
                for (; i < lines.Length && lines[i].Trim().Length > 0; i++)
                {
                    var t = lines[i].Trim();
                    if (IsItem(t))
                    {
                        items.Add(t[(t.IndexOf(' ', StringComparison.Ordinal) + 1)..].Trim());
                    }
                    else
                    {
                        items[^1] += " " + t; // a wrapped line continues its item
                    }
                }

                blocks.Add(new MarkdownList(items));
            }
            else
            {
                var text = new List<string>();
                for (; i < lines.Length && lines[i].Trim() is { Length: > 0 } t && !t.StartsWith('#') && !t.StartsWith('|') && !t.StartsWith("```", StringComparison.Ordinal) && !IsItem(t); i++)
                {
                    text.Add(t);
                }

                blocks.Add(new MarkdownParagraph(string.Join(' ', text)));
            }
        }

        return blocks;
    }

    private static bool IsItem(string line) =>
        line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal) ||
        (line.IndexOf(". ", StringComparison.Ordinal) is var dot and > 0 and < 4 && line[..dot].All(char.IsAsciiDigit));

    private static List<string> Cells(string row) =>
        row.Trim('|').Split('|').Select(c => c.Trim()).ToList();
}

/// <summary>A block of a markdown card.</summary>
public abstract record MarkdownBlock;

/// <summary>A heading.</summary>
/// <param name="Level">1 to 6.</param>
/// <param name="Text">Its text.</param>
public sealed record MarkdownHeading(int Level, string Text) : MarkdownBlock;

/// <summary>A paragraph, its wrapped lines joined.</summary>
/// <param name="Text">Its text.</param>
public sealed record MarkdownParagraph(string Text) : MarkdownBlock;

/// <summary>A bulleted or numbered list.</summary>
/// <param name="Items">Each item's text.</param>
public sealed record MarkdownList(IReadOnlyList<string> Items) : MarkdownBlock;

/// <summary>A fenced code block.</summary>
/// <param name="Text">The code.</param>
public sealed record MarkdownCode(string Text) : MarkdownBlock;

/// <summary>A pipe table.</summary>
/// <param name="Heading">The nearest heading above it, if any.</param>
/// <param name="Header">The header cells.</param>
/// <param name="Rows">The body rows' cells (the delimiter row left out).</param>
public sealed record MarkdownTable(string? Heading, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows) : MarkdownBlock;
