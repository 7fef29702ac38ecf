using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Rendering;

/// <summary>Rasterises a background and objects with analytic anti-aliasing (coverage from signed distance).</summary>
/// <remarks>
/// Notation: u = pixel centre + camera offset is the world point seen at a pixel; for an object with pose
/// (c, r, θ) the local point is l = R(−θ)(u − c) / r, the shape's signed distance d(l) is in local units, and the
/// pixel's coverage is clamp(0.5 − r·d(l), 0, 1), a one-pixel ramp across the outline. Objects are composited
/// back to front; the instance map records the front-most object with coverage ≥ 0.5.
/// </remarks>
public static class SceneRenderer
{
    /// <summary>Renders one frame.</summary>
    public static RenderedFrame Render(
        int width, int height, BackgroundSpec background, BackgroundStyle style, double cameraX, double cameraY, IReadOnlyList<PlacedObject> objects)
    {
        ArgumentNullException.ThrowIfNull(background);
        ArgumentNullException.ThrowIfNull(style);
        ArgumentNullException.ThrowIfNull(objects);
        if (objects.Count > 250)
        {
            throw new ArgumentException($"at most 250 objects fit the instance map, got {objects.Count}", nameof(objects));
        }

        var rgb = new float[width * height * 3];
        var instances = new byte[width * height];
        PaintBackground(rgb, width, height, background, style, cameraX, cameraY);
        for (var k = 0; k < objects.Count; k++)
        {
            PaintObject(rgb, instances, width, height, objects[k], (byte)(k + 1), cameraX, cameraY);
        }

        var image = new RgbImage(width, height);
        for (var i = 0; i < rgb.Length; i++)
        {
            image.Pixels[i] = (byte)Math.Clamp(MathF.Round(rgb[i]), 0, 255);
        }

        return new RenderedFrame(image, instances);
    }

    /// <summary>Returns the background value t in [0, 1] (0 = first colour, 1 = second) at a world point.</summary>
    public static double BackgroundMix(BackgroundKind kind, BackgroundStyle style, int width, int height, double ux, double uy)
    {
        ArgumentNullException.ThrowIfNull(style);
        var (sin, cos) = Math.SinCos(style.Angle);
        switch (kind)
        {
            case BackgroundKind.Flat:
                return 0;
            case BackgroundKind.Gradient:
                {
                    var s = ((ux - (width / 2.0)) * cos) + ((uy - (height / 2.0)) * sin);
                    return Math.Clamp(0.5 + (s / (Math.Max(width, height) * 0.9)), 0, 1);
                }

            case BackgroundKind.Stripes:
                {
                    var k = Math.PI / style.Period;
                    var v = Math.Sin(((ux * cos) + (uy * sin)) * k);

                    // a two-pixel ramp between bands: sharp to the eye, and smooth enough to warp with sub-pixel flow
                    return Math.Clamp(0.5 + (v / (2 * k)), 0, 1);
                }

            case BackgroundKind.Checker:
                {
                    var k = Math.PI / style.Period;
                    var v = Math.Sin(ux * k) * Math.Sin(uy * k);
                    return Math.Clamp(0.5 + (v / (2 * k)), 0, 1);
                }

            case BackgroundKind.Noise:
                {
                    var n = (0.7 * ValueNoise(style.NoiseSeed, ux / 11.0, uy / 11.0)) + (0.3 * ValueNoise(style.NoiseSeed + 1, ux / 5.5, uy / 5.5));
                    // steep enough that both colours show pure over large patches (at 1.8 the rarer one covered 4% of
                    // the image and a third of noise backgrounds were misnamed), with a ramp of a few pixels between
                    return Math.Clamp(((n - 0.5) * 4.5) + 0.5, 0, 1);
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown background kind");
        }
    }

    /// <summary>Returns the object's coverage at a world point and the pattern mix there (0 = base colour).</summary>
    public static (double Coverage, double Pattern) ObjectCoverage(PlacedObject placed, double ux, double uy)
    {
        ArgumentNullException.ThrowIfNull(placed);
        var pose = placed.Pose;
        var (lx, ly) = pose.ToLocal(ux, uy);
        var d = ShapeSdf.Distance(placed.Spec.Shape, lx, ly);
        var coverage = Math.Clamp(0.5 - (d * pose.Radius), 0, 1);
        if (coverage <= 0)
        {
            return (0, 0);
        }

        double pattern;
        switch (placed.Spec.Texture)
        {
            case Texture.Striped:
                {
                    const double frequency = Math.PI * 2.6;
                    var k = frequency / pose.Radius; // slope per pixel at a zero crossing
                    pattern = Math.Clamp(0.5 + (Math.Sin(lx * frequency) / k), 0, 1);
                    break;
                }

            case Texture.Dotted:
                {
                    const double spacing = 0.55;
                    var gx = (lx / spacing) - Math.Round(lx / spacing);
                    var gy = (ly / spacing) - Math.Round(ly / spacing);
                    var dot = (Math.Sqrt((gx * gx) + (gy * gy)) * spacing) - 0.15;
                    pattern = Math.Clamp(0.5 - (dot * pose.Radius), 0, 1);
                    break;
                }

            default:
                pattern = 0;
                break;
        }

        return (coverage, pattern);
    }

    private static void PaintBackground(float[] rgb, int width, int height, BackgroundSpec background, BackgroundStyle style, double cameraX, double cameraY)
    {
        var a = Palette.Rgb(background.Color);
        var b = Palette.Rgb(background.SecondColor ?? background.Color);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var t = (float)BackgroundMix(background.Kind, style, width, height, x + 0.5 + cameraX, y + 0.5 + cameraY);
                var o = ((y * width) + x) * 3;
                rgb[o] = a.R + ((b.R - a.R) * t);
                rgb[o + 1] = a.G + ((b.G - a.G) * t);
                rgb[o + 2] = a.B + ((b.B - a.B) * t);
            }
        }
    }

    private static void PaintObject(float[] rgb, byte[] instances, int width, int height, PlacedObject placed, byte id, double cameraX, double cameraY)
    {
        var pose = placed.Pose;
        var reach = (pose.Radius * 1.2) + 2;
        var x0 = Math.Max(0, (int)Math.Floor(pose.X - cameraX - reach));
        var x1 = Math.Min(width - 1, (int)Math.Ceiling(pose.X - cameraX + reach));
        var y0 = Math.Max(0, (int)Math.Floor(pose.Y - cameraY - reach));
        var y1 = Math.Min(height - 1, (int)Math.Ceiling(pose.Y - cameraY + reach));
        var baseColor = Palette.Rgb(placed.Spec.Color);
        var patternColor = Palette.PatternRgb(placed.Spec.Color);
        for (var y = y0; y <= y1; y++)
        {
            for (var x = x0; x <= x1; x++)
            {
                var (coverage, pattern) = ObjectCoverage(placed, x + 0.5 + cameraX, y + 0.5 + cameraY);
                if (coverage <= 0)
                {
                    continue;
                }

                var c = (float)coverage;
                var p = (float)pattern;
                var o = ((y * width) + x) * 3;
                rgb[o] = (rgb[o] * (1 - c)) + ((baseColor.R + ((patternColor.R - baseColor.R) * p)) * c);
                rgb[o + 1] = (rgb[o + 1] * (1 - c)) + ((baseColor.G + ((patternColor.G - baseColor.G) * p)) * c);
                rgb[o + 2] = (rgb[o + 2] * (1 - c)) + ((baseColor.B + ((patternColor.B - baseColor.B) * p)) * c);
                if (coverage >= 0.5)
                {
                    instances[(y * width) + x] = id;
                }
            }
        }
    }

    // Value noise on an integer lattice with smoothstep interpolation; continuous, so flow warps reproduce it.
    private static double ValueNoise(long seed, double x, double y)
    {
        var ix = (int)Math.Floor(x);
        var iy = (int)Math.Floor(y);
        var fx = x - ix;
        var fy = y - iy;
        var sx = fx * fx * (3 - (2 * fx));
        var sy = fy * fy * (3 - (2 * fy));
        var v00 = WorldRandom.Hash01(seed, ix, iy);
        var v10 = WorldRandom.Hash01(seed, ix + 1, iy);
        var v01 = WorldRandom.Hash01(seed, ix, iy + 1);
        var v11 = WorldRandom.Hash01(seed, ix + 1, iy + 1);
        var top = v00 + ((v10 - v00) * sx);
        var bottom = v01 + ((v11 - v01) * sx);
        return top + ((bottom - top) * sy);
    }
}
