namespace MediaStudio.Neural.Attention;

/// <summary>MSWA window sizes: per-head groups inside a layer and per-layer groups across depth (papers-media.md §3).</summary>
/// <remarks>
/// MSWA-h splits the H heads into 4 contiguous groups with windows w·r_k, r = (1/4, 1/2, 1, 2); MSWA-l splits the L
/// layers the same way, small windows near the input. Combined: w_{l,h} = w·r(layer group)·r(head group), from w/16
/// to 4w, with a total budget (15/16)² ≈ 0.88 of uniform sliding-window attention.
/// </remarks>
public static class WindowSchedule
{
    /// <summary>The paper's four ratios, smallest first.</summary>
    public static IReadOnlyList<double> PaperRatios { get; } = [0.25, 0.5, 1.0, 2.0];

    /// <summary>Per-head windows of layer <paramref name="layer"/> of <paramref name="layers"/>.</summary>
    /// <param name="baseWindow">The uniform sliding-window size w being redistributed.</param>
    /// <param name="layer">0-based layer index (0 is nearest the input).</param>
    /// <param name="layers">Layer count; 1 turns MSWA-l off.</param>
    /// <param name="heads">Head count; must be divisible by the number of ratios.</param>
    /// <param name="ratios">Group ratios, smallest first; defaults to <see cref="PaperRatios"/>.</param>
    public static int[] ForLayer(int baseWindow, int layer, int layers, int heads, IReadOnlyList<double>? ratios = null)
    {
        ratios ??= PaperRatios;
        if (baseWindow <= 0 || layers <= 0 || layer < 0 || layer >= layers || heads <= 0 || ratios.Count == 0)
        {
            throw new ArgumentException($"need baseWindow > 0, 0 <= layer < layers and heads > 0, got w={baseWindow}, layer={layer}, layers={layers}, heads={heads}");
        }

        if (heads % ratios.Count != 0)
        {
            throw new ArgumentException($"heads ({heads}) must be divisible by the {ratios.Count} head groups");
        }

        var layerRatio = layers == 1 ? 1.0 : ratios[Math.Min(ratios.Count - 1, layer * ratios.Count / layers)];
        var perGroup = heads / ratios.Count;
        return [.. Enumerable.Range(0, heads).Select(h => Math.Max(1, (int)Math.Round(baseWindow * layerRatio * ratios[h / perGroup])))];
    }

    /// <summary>Maximal runs of equal values: (first index, count, value).</summary>
    public static IReadOnlyList<(int Start, int Count, int Window)> Runs(IReadOnlyList<int> windows)
    {
        var runs = new List<(int, int, int)>();
        var start = 0;
        for (var i = 1; i <= windows.Count; i++)
        {
            if (i == windows.Count || windows[i] != windows[start])
            {
                runs.Add((start, i - start, windows[start]));
                start = i;
            }
        }

        return runs;
    }

    /// <summary>The window each KV head must keep: the largest window among the query heads that share it.</summary>
    public static int[] KeyValueWindows(IReadOnlyList<int> headWindows, int kvHeads)
    {
        var group = headWindows.Count / kvHeads;
        return [.. Enumerable.Range(0, kvHeads).Select(g => Enumerable.Range(g * group, group).Max(h => headWindows[h]))];
    }
}
