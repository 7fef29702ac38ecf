using System.Globalization;
using System.Text;

namespace MediaStudio.Web.Services;

/// <summary>Reads what the Batch page is given: prompts one per line or from a CSV, and seeds as a list or "N random".</summary>
public static class BatchInput
{
    /// <summary>The most seeds "N random" may ask for.</summary>
    public const int MaxRandomSeeds = 64;

    /// <summary>Splits pasted text into prompts: one per non-blank line, trimmed.</summary>
    public static IReadOnlyList<string> PromptsFromLines(string? text) =>
        (text ?? string.Empty).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

    /// <summary>Reads the first column of a CSV as prompts. Quoted fields may hold commas, doubled quotes and line breaks;
    /// a first row whose first field is <c>prompt</c> is a header and is skipped; blank prompts are left out.</summary>
    public static IReadOnlyList<string> PromptsFromCsv(string? csv)
    {
        var rows = CsvFirstColumn(csv ?? string.Empty);
        if (rows.Count > 0 && string.Equals(rows[0].Trim(), "prompt", StringComparison.OrdinalIgnoreCase))
        {
            rows.RemoveAt(0);
        }

        return rows.Select(r => r.Trim()).Where(r => r.Length > 0).ToList();
    }

    /// <summary>Reads seeds: a list of whole numbers separated by commas or spaces ("1, 2, 3"), or "N random", drawn from
    /// <paramref name="random"/>.</summary>
    /// <returns>The seeds, or an error in words.</returns>
    public static SeedsResult Seeds(string? text, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var trimmed = (text ?? string.Empty).Trim();
        if (trimmed.Length == 0)
        {
            return new([], "seeds: none given");
        }

        var parts = trimmed.Split([',', ' ', ';', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 2 && string.Equals(parts[1], "random", StringComparison.OrdinalIgnoreCase))
        {
            if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > MaxRandomSeeds)
            {
                return new([], $"seeds: \"{parts[0]}\" random is not a count from 1 to {MaxRandomSeeds}");
            }

            var drawn = new HashSet<long>();
            while (drawn.Count < n)
            {
                drawn.Add(random.NextInt64(0, uint.MaxValue));
            }

            return new([.. drawn], null);
        }

        var seeds = new List<long>(parts.Length);
        foreach (var part in parts)
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
            {
                return new([], $"seeds: \"{part}\" is not a whole number of 0 or more (write a list like 1, 2, 3 or N random)");
            }

            seeds.Add(seed);
        }

        return new(seeds, null);
    }

    // RFC 4180 reading, keeping only each record's first field
    private static List<string> CsvFirstColumn(string csv)
    {
        var rows = new List<string>();
        var field = new StringBuilder();
        var column = 0;
        var quoted = false;
        var any = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    if (column == 0)
                    {
                        field.Append('"');
                    }

                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else if (column == 0)
                {
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    quoted = true;
                    any = true;
                    break;
                case ',':
                    column++;
                    break;
                case '\r':
                    break;
                case '\n':
                    rows.Add(field.ToString());
                    field.Clear();
                    column = 0;
                    any = false;
                    break;
                default:
                    if (column == 0)
                    {
                        field.Append(c);
                    }

                    any = true;
                    break;
            }
        }

        if (field.Length > 0 || any)
        {
            rows.Add(field.ToString());
        }

        return rows;
    }
}

/// <summary>Seeds read from the form, or why they could not be read.</summary>
/// <param name="Seeds">The seeds (empty on error).</param>
/// <param name="Error">The problem in words, or null.</param>
public sealed record SeedsResult(IReadOnlyList<long> Seeds, string? Error);
