namespace MediaStudio.Synthetic.Metrics;

/// <summary>Overlap between masks.</summary>
public static class MaskMetrics
{
    /// <summary>Returns |A ∩ B| / |A ∪ B| with non-zero entries as foreground; two empty masks give 1.</summary>
    public static double IoU(byte[] a, byte[] b) => IoU(a, b, static v => v != 0);

    /// <summary>Returns the IoU of the pixels equal to <paramref name="id"/> in two instance maps.</summary>
    public static double IoU(byte[] a, byte[] b, byte id) => IoU(a, b, v => v == id);

    private static double IoU(byte[] a, byte[] b, Func<byte, bool> selected)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"masks differ in size: {a.Length} vs {b.Length}", nameof(b));
        }

        long intersection = 0, union = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var x = selected(a[i]);
            var y = selected(b[i]);
            intersection += x && y ? 1 : 0;
            union += x || y ? 1 : 0;
        }

        return union == 0 ? 1 : intersection / (double)union;
    }
}
