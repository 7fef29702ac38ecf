using MediaStudio.Media.Images;

namespace MediaStudio.Synthetic.Metrics;

/// <summary>Joint RGB histograms and the distance between them.</summary>
/// <remarks>
/// Notation: h, g are normalised histograms over B³ bins (B per channel). The distance is the Hellinger distance
/// H(h, g) = sqrt(1 − Σ_i sqrt(h_i g_i)), in [0, 1]: 0 for identical colour distributions, 1 for disjoint ones.
/// </remarks>
public static class ColorHistogram
{
    /// <summary>Returns the normalised joint histogram with <paramref name="bins"/> bins per channel, optionally inside a mask.</summary>
    public static double[] Compute(RgbImage image, int bins = 8, byte[]? mask = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (bins is < 1 or > 64)
        {
            throw new ArgumentException($"bins must be 1-64, got {bins}", nameof(bins));
        }

        var histogram = new double[bins * bins * bins];
        long n = 0;
        for (var i = 0; i < image.Width * image.Height; i++)
        {
            if (mask is not null && mask[i] == 0)
            {
                continue;
            }

            var r = image.Pixels[i * 3] * bins / 256;
            var g = image.Pixels[(i * 3) + 1] * bins / 256;
            var b = image.Pixels[(i * 3) + 2] * bins / 256;
            histogram[(((r * bins) + g) * bins) + b]++;
            n++;
        }

        if (n > 0)
        {
            for (var i = 0; i < histogram.Length; i++)
            {
                histogram[i] /= n;
            }
        }

        return histogram;
    }

    /// <summary>Returns the Hellinger distance between the two images' colour histograms.</summary>
    public static double Distance(RgbImage a, RgbImage b, int bins = 8, byte[]? maskA = null, byte[]? maskB = null)
    {
        var h = Compute(a, bins, maskA);
        var g = Compute(b, bins, maskB);
        double bc = 0;
        for (var i = 0; i < h.Length; i++)
        {
            bc += Math.Sqrt(h[i] * g[i]);
        }

        return Math.Sqrt(Math.Max(0, 1 - bc));
    }
}
