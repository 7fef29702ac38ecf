using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Rendering;

/// <summary>Applies the named degradations (blur, noise, low contrast, colour cast, blockiness, wrong colours).</summary>
/// <remarks>Strengths are fixed so that a caption's words match what a viewer sees; noise is seeded.</remarks>
public static class Degrader
{
    /// <summary>Returns a degraded copy, applying the degradations in canonical order.</summary>
    public static RgbImage Apply(RgbImage image, IReadOnlyList<DegradationSpec> degradations, long seed)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(degradations);
        var result = image.Clone();
        foreach (var d in degradations.OrderBy(d => d.Kind))
        {
            result = Apply(result, d, seed);
        }

        return result;
    }

    private static RgbImage Apply(RgbImage image, DegradationSpec degradation, long seed)
    {
        var (w, h) = (image.Width, image.Height);
        var src = image.Pixels;
        var dst = new byte[src.Length];
        switch (degradation.Kind)
        {
            case DegradationKind.Blur:
                {
                    float[] kernel = [0.0545f, 0.2442f, 0.4026f, 0.2442f, 0.0545f]; // Gaussian, sigma = 1
                    var tmp = new float[src.Length];
                    var tmp2 = new float[src.Length];
                    for (var i = 0; i < src.Length; i++)
                    {
                        tmp[i] = src[i];
                    }

                    for (var pass = 0; pass < 2; pass++)
                    {
                        Convolve(tmp, tmp2, w, h, kernel, horizontal: true);
                        Convolve(tmp2, tmp, w, h, kernel, horizontal: false);
                    }

                    for (var i = 0; i < src.Length; i++)
                    {
                        dst[i] = ToByte(tmp[i]);
                    }

                    break;
                }

            case DegradationKind.Noise:
                {
                    var rng = WorldRandom.For(seed, "noise");
                    for (var i = 0; i < src.Length; i++)
                    {
                        dst[i] = ToByte(src[i] + (28 * rng.NextGaussian()));
                    }

                    break;
                }

            case DegradationKind.LowContrast:
                {
                    var mean = src.Average(b => (double)b);
                    for (var i = 0; i < src.Length; i++)
                    {
                        dst[i] = ToByte(mean + ((src[i] - mean) * 0.3));
                    }

                    break;
                }

            case DegradationKind.ColorCast:
                {
                    var cast = Palette.Rgb(degradation.CastColor ?? NamedColor.Yellow);
                    byte[] tint = [cast.R, cast.G, cast.B];
                    for (var i = 0; i < src.Length; i++)
                    {
                        dst[i] = ToByte((src[i] * 0.55) + (tint[i % 3] * 0.45));
                    }

                    break;
                }

            case DegradationKind.Blockiness:
                {
                    const int block = 8;
                    for (var by = 0; by < h; by += block)
                    {
                        for (var bx = 0; bx < w; bx += block)
                        {
                            BlockAverage(src, dst, w, h, bx, by, block);
                        }
                    }

                    break;
                }

            case DegradationKind.WrongColors:
                for (var i = 0; i < src.Length; i += 3)
                {
                    // channel rotation R->G->B->R: every hue moves by a third of the wheel
                    dst[i] = src[i + 2];
                    dst[i + 1] = src[i];
                    dst[i + 2] = src[i + 1];
                }

                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(degradation), degradation.Kind, "unknown degradation");
        }

        return new RgbImage(w, h, dst);
    }

    private static void BlockAverage(byte[] src, byte[] dst, int w, int h, int bx, int by, int block)
    {
        for (var c = 0; c < 3; c++)
        {
            double sum = 0;
            var n = 0;
            for (var y = by; y < Math.Min(h, by + block); y++)
            {
                for (var x = bx; x < Math.Min(w, bx + block); x++)
                {
                    sum += src[(((y * w) + x) * 3) + c];
                    n++;
                }
            }

            var mean = sum / n;
            for (var y = by; y < Math.Min(h, by + block); y++)
            {
                for (var x = bx; x < Math.Min(w, bx + block); x++)
                {
                    var i = (((y * w) + x) * 3) + c;

                    // mostly the block mean, a little of the detail: the look of an over-compressed JPEG
                    dst[i] = ToByte((mean * 0.8) + (src[i] * 0.2));
                }
            }
        }
    }

    private static void Convolve(float[] src, float[] dst, int w, int h, float[] kernel, bool horizontal)
    {
        var r = kernel.Length / 2;
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    float acc = 0;
                    for (var k = -r; k <= r; k++)
                    {
                        var sx = horizontal ? Math.Clamp(x + k, 0, w - 1) : x;
                        var sy = horizontal ? y : Math.Clamp(y + k, 0, h - 1);
                        acc += kernel[k + r] * src[(((sy * w) + sx) * 3) + c];
                    }

                    dst[(((y * w) + x) * 3) + c] = acc;
                }
            }
        }
    }

    private static byte ToByte(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);
}
