namespace MediaStudio.Synthetic.Metrics;

/// <summary>Counts right and wrong answers per named attribute, for the evaluations' accuracy tables.</summary>
public sealed class AccuracyTally
{
    private readonly Dictionary<string, (long Correct, long Total)> _counts = new(StringComparer.Ordinal);

    /// <summary>Counts one answer for <paramref name="name"/>.</summary>
    public void Count(string name, bool correct)
    {
        var (c, t) = _counts.GetValueOrDefault(name);
        _counts[name] = (c + (correct ? 1 : 0), t + 1);
    }

    /// <summary>The fraction right per name, in ordinal name order.</summary>
    public IReadOnlyDictionary<string, double> Fractions() =>
        _counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value.Correct / (double)kv.Value.Total, StringComparer.Ordinal);
}
