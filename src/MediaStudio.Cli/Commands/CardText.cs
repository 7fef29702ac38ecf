using System.Globalization;
using System.Text;

namespace MediaStudio.Cli.Commands;

/// <summary>The parts every training command writes into a model card the same way.</summary>
internal static class CardText
{
    /// <summary>Appends the recipe's command lines, in the order they ran.</summary>
    /// <param name="card">The card being written.</param>
    /// <param name="runs">Every invocation recorded for the model.</param>
    /// <param name="initFrom">Whether a run may have started from another model's weights (--init-from) rather than a checkpoint.</param>
    public static StringBuilder AppendCommands(StringBuilder card, IEnumerable<string> runs, bool initFrom = false)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(runs);
        card.Append("- commands, in order (each later one resumed the checkpoint of the one before")
            .Append(initFrom ? ", or started from the weights its --init-from names" : string.Empty)
            .Append("; a repeated line is a restart after a kill):\n");
        foreach (var run in runs)
        {
            card.Append(CultureInfo.InvariantCulture, $"  - `{run}`\n");
        }

        return card;
    }

    /// <summary>Appends an accuracy table, one row per name in ordinal order, as percentages.</summary>
    public static StringBuilder AppendAccuracy(StringBuilder card, string column, IReadOnlyDictionary<string, double> accuracy)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(accuracy);
        card.Append(CultureInfo.InvariantCulture, $"| {column} | accuracy |\n| --- | --- |\n");
        foreach (var (name, value) in accuracy.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            card.Append(CultureInfo.InvariantCulture, $"| {name} | {value * 100:F2}% |\n");
        }

        return card;
    }
}
