using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Clips;

namespace MediaStudio.Synthetic.Preview;

/// <summary>Turns ground truth (instance maps, flow, occlusion) into images, and stamps tile numbers.</summary>
public static class Visualize
{
    private static readonly (byte R, byte G, byte B)[] InstanceColors =
    [
        (0, 0, 0), (230, 60, 60), (60, 200, 80), (70, 110, 240), (240, 200, 50), (200, 80, 220), (60, 210, 220),
    ];

    // 3x5 digit glyphs, one row per 3 bits, top row first.
    private static readonly int[][] Digits =
    [
        [7, 5, 5, 5, 7], [2, 6, 2, 2, 7], [7, 1, 7, 4, 7], [7, 1, 7, 1, 7], [5, 5, 7, 1, 1],
        [7, 4, 7, 1, 7], [7, 4, 7, 5, 7], [7, 1, 1, 1, 1], [7, 5, 7, 5, 7], [7, 5, 7, 1, 7],
    ];

    /// <summary>Colours an instance map: background black, each object its own colour.</summary>
    public static RgbImage Instances(byte[] instances, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var image = new RgbImage(width, height);
        for (var i = 0; i < instances.Length; i++)
        {
            var (r, g, b) = InstanceColors[instances[i] % InstanceColors.Length];
            (image.Pixels[i * 3], image.Pixels[(i * 3) + 1], image.Pixels[(i * 3) + 2]) = (r, g, b);
        }

        return image;
    }

    /// <summary>Shows a binary mask as white on black.</summary>
    public static RgbImage Mask(byte[] mask, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var image = new RgbImage(width, height);
        for (var i = 0; i < mask.Length; i++)
        {
            var v = mask[i] != 0 ? (byte)255 : (byte)0;
            (image.Pixels[i * 3], image.Pixels[(i * 3) + 1], image.Pixels[(i * 3) + 2]) = (v, v, v);
        }

        return image;
    }

    /// <summary>Colours a flow field the usual way: hue = direction, saturation = speed relative to <paramref name="maxMagnitude"/>.</summary>
    public static RgbImage Flow(FlowField flow, double maxMagnitude)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var image = new RgbImage(flow.Width, flow.Height);
        for (var i = 0; i < flow.Dx.Length; i++)
        {
            var angle = Math.Atan2(flow.Dy[i], flow.Dx[i]);
            var hue = (angle + Math.PI) / (2 * Math.PI) * 6;
            var saturation = Math.Min(1, Math.Sqrt((flow.Dx[i] * flow.Dx[i]) + (flow.Dy[i] * flow.Dy[i])) / Math.Max(1e-6, maxMagnitude));
            var sector = (int)Math.Floor(hue) % 6;
            var f = hue - Math.Floor(hue);
            var (p, q, t) = (1 - saturation, 1 - (saturation * f), 1 - (saturation * (1 - f)));
            var (r, g, b) = sector switch
            {
                0 => (1, t, p),
                1 => (q, 1, p),
                2 => (p, 1, t),
                3 => (p, q, 1),
                4 => (t, p, 1),
                _ => (1.0, p, q),
            };
            image.Pixels[i * 3] = (byte)(r * 255);
            image.Pixels[(i * 3) + 1] = (byte)(g * 255);
            image.Pixels[(i * 3) + 2] = (byte)(b * 255);
        }

        return image;
    }

    /// <summary>Returns the largest flow magnitude over several fields (for a shared colour scale).</summary>
    public static double MaxMagnitude(IEnumerable<FlowField> flows)
    {
        ArgumentNullException.ThrowIfNull(flows);
        var max = 0.0;
        foreach (var flow in flows)
        {
            for (var i = 0; i < flow.Dx.Length; i++)
            {
                max = Math.Max(max, Math.Sqrt((flow.Dx[i] * flow.Dx[i]) + (flow.Dy[i] * flow.Dy[i])));
            }
        }

        return max;
    }

    /// <summary>Returns a copy with a tile number stamped in the top-left corner (white digits on a black box).</summary>
    public static RgbImage Number(RgbImage image, int number)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        var result = image.Clone();
        var text = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var boxW = Math.Min(image.Width, (text.Length * 4) + 1);
        for (var y = 0; y < Math.Min(7, image.Height); y++)
        {
            for (var x = 0; x < boxW; x++)
            {
                var o = result.Offset(x, y);
                (result.Pixels[o], result.Pixels[o + 1], result.Pixels[o + 2]) = (0, 0, 0);
            }
        }

        for (var c = 0; c < text.Length; c++)
        {
            var glyph = Digits[text[c] - '0'];
            for (var row = 0; row < 5; row++)
            {
                for (var col = 0; col < 3; col++)
                {
                    var x = 1 + (c * 4) + col;
                    if ((glyph[row] & (4 >> col)) != 0 && x < image.Width && row + 1 < image.Height)
                    {
                        var o = result.Offset(x, row + 1);
                        (result.Pixels[o], result.Pixels[o + 1], result.Pixels[o + 2]) = (255, 255, 255);
                    }
                }
            }
        }

        return result;
    }
}
