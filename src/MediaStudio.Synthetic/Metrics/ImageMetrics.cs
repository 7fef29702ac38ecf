using MediaStudio.Media.Images;

namespace MediaStudio.Synthetic.Metrics;

/// <summary>PSNR and SSIM over a whole image, or only inside or only outside a mask.</summary>
/// <remarks>
/// Notation: x, y are the two images with values in [0, 255], M a mask (non-zero = inside).
/// PSNR = 10 log10(255² / MSE) with MSE over the selected pixels and channels; identical selections give +∞.
/// SSIM follows Wang et al. 2004 (eq. 13): Gaussian window σ = 1.5 (11 taps), C1 = (0.01·255)², C2 = (0.03·255)²,
/// computed per channel and averaged over the selected pixels.
/// </remarks>
public static class ImageMetrics
{
    /// <summary>Returns the PSNR in dB; with a mask, over the pixels inside it (or outside when <paramref name="inside"/> is false).</summary>
    public static double Psnr(RgbImage a, RgbImage b, byte[]? mask = null, bool inside = true)
    {
        var mse = Mse(a, b, mask, inside);
        return mse <= 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    /// <summary>Returns the mean squared error in [0, 255²] over the selected pixels.</summary>
    public static double Mse(RgbImage a, RgbImage b, byte[]? mask = null, bool inside = true)
    {
        CheckPair(a, b, mask);
        double sum = 0;
        long n = 0;
        for (var i = 0; i < a.Width * a.Height; i++)
        {
            if (!Selected(mask, i, inside))
            {
                continue;
            }

            for (var c = 0; c < 3; c++)
            {
                double d = a.Pixels[(i * 3) + c] - b.Pixels[(i * 3) + c];
                sum += d * d;
            }

            n += 3;
        }

        if (n == 0)
        {
            throw new ArgumentException("the mask selects no pixels", nameof(mask));
        }

        return sum / n;
    }

    /// <summary>Returns the mean SSIM in [-1, 1] over the selected pixels.</summary>
    public static double Ssim(RgbImage a, RgbImage b, byte[]? mask = null, bool inside = true)
    {
        CheckPair(a, b, mask);
        var map = SsimMap(a, b);
        double sum = 0;
        long n = 0;
        for (var i = 0; i < map.Length; i++)
        {
            if (Selected(mask, i, inside))
            {
                sum += map[i];
                n++;
            }
        }

        return n == 0 ? throw new ArgumentException("the mask selects no pixels", nameof(mask)) : sum / n;
    }

    /// <summary>Returns the per-pixel SSIM (channel mean), row-major.</summary>
    public static double[] SsimMap(RgbImage a, RgbImage b)
    {
        CheckPair(a, b, null);
        const double c1 = 0.01 * 255 * 0.01 * 255;
        const double c2 = 0.03 * 255 * 0.03 * 255;
        var (w, h) = (a.Width, a.Height);
        var map = new double[w * h];
        var x = new double[w * h];
        var y = new double[w * h];
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < w * h; i++)
            {
                x[i] = a.Pixels[(i * 3) + c];
                y[i] = b.Pixels[(i * 3) + c];
            }

            var mx = Blur(x, w, h);
            var my = Blur(y, w, h);
            var xx = Blur(Product(x, x), w, h);
            var yy = Blur(Product(y, y), w, h);
            var xy = Blur(Product(x, y), w, h);
            for (var i = 0; i < w * h; i++)
            {
                var vx = xx[i] - (mx[i] * mx[i]);
                var vy = yy[i] - (my[i] * my[i]);
                var cov = xy[i] - (mx[i] * my[i]);
                map[i] += ((2 * mx[i] * my[i]) + c1) * ((2 * cov) + c2)
                    / (((mx[i] * mx[i]) + (my[i] * my[i]) + c1) * (vx + vy + c2)) / 3;
            }
        }

        return map;
    }

    internal static bool Selected(byte[]? mask, int i, bool inside) => mask is null || ((mask[i] != 0) == inside);

    internal static void CheckPair(RgbImage a, RgbImage b, byte[]? mask)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Width != b.Width || a.Height != b.Height)
        {
            throw new ArgumentException($"images differ in size: {a.Width}x{a.Height} vs {b.Width}x{b.Height}", nameof(b));
        }

        if (mask is not null && mask.Length != a.Width * a.Height)
        {
            throw new ArgumentException($"mask has {mask.Length} entries; the images have {a.Width * a.Height} pixels", nameof(mask));
        }
    }

    private static double[] Product(double[] a, double[] b)
    {
        var r = new double[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            r[i] = a[i] * b[i];
        }

        return r;
    }

    // Separable Gaussian (σ = 1.5, 11 taps), normalised over the taps inside the image at the borders.
    private static double[] Blur(double[] src, int w, int h)
    {
        const int r = 5;
        Span<double> k = stackalloc double[(2 * r) + 1];
        for (var i = -r; i <= r; i++)
        {
            k[i + r] = Math.Exp(-(i * i) / (2 * 1.5 * 1.5));
        }

        var tmp = new double[src.Length];
        var dst = new double[src.Length];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                double acc = 0, norm = 0;
                for (var i = Math.Max(-r, -x); i <= Math.Min(r, w - 1 - x); i++)
                {
                    acc += k[i + r] * src[(y * w) + x + i];
                    norm += k[i + r];
                }

                tmp[(y * w) + x] = acc / norm;
            }
        }

        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                double acc = 0, norm = 0;
                for (var i = Math.Max(-r, -y); i <= Math.Min(r, h - 1 - y); i++)
                {
                    acc += k[i + r] * tmp[((y + i) * w) + x];
                    norm += k[i + r];
                }

                dst[(y * w) + x] = acc / norm;
            }
        }

        return dst;
    }
}
