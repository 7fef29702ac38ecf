using MediaStudio.Neural.Checkpoints;

namespace MediaStudio.Cli.Commands;

/// <summary>Writes an eval command's results into the "## Measured" section of a model card, so a card's numbers always
/// come from the command that measured them.</summary>
internal static class EvalCardSection
{
    /// <summary>The heading the section starts with.</summary>
    public const string Heading = "## Measured";

    /// <summary>What a fresh card says before its first measurement.</summary>
    public const string Placeholder = Heading + "\n\nNot measured yet.";

    /// <summary>Replaces the card's measured section (heading to the next "## " heading) with <paramref name="markdown"/>,
    /// or inserts it before "## Config" (or at the end) when the card has none.</summary>
    /// <param name="cardPath">CARD.md to update.</param>
    /// <param name="markdown">Section body, without the heading.</param>
    public static void Write(string cardPath, string markdown)
    {
        var card = File.Exists(cardPath) ? File.ReadAllText(cardPath) : "";
        var section = $"{Heading}\n\n{markdown.TrimEnd()}\n\n";
        var start = card.IndexOf(Heading + "\n", StringComparison.Ordinal);
        string updated;
        if (start >= 0)
        {
            var next = card.IndexOf("\n## ", start + Heading.Length, StringComparison.Ordinal);
            updated = card[..start] + section + (next >= 0 ? card[(next + 1)..] : "");
        }
        else
        {
            var config = card.IndexOf("## Config", StringComparison.Ordinal);
            updated = config >= 0 ? card[..config] + section + card[config..] : card.TrimEnd() + "\n\n" + section;
        }

        AtomicFile.WriteAllText(cardPath, updated);
    }
}
