using MediaStudio.Media.Images;

namespace MediaStudio.Media.Tests;

/// <summary>Smooth synthetic frames for codec tests (no dependency on the procedural world).</summary>
internal static class TestFrames
{
    public static RgbImage Gradient(int width, int height, int phase)
    {
        var image = new RgbImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var o = image.Offset(x, y);
                image.Pixels[o] = (byte)(128 + (int)(100 * Math.Sin((x + (2 * phase)) / 10.0)));
                image.Pixels[o + 1] = (byte)(y * 255 / height);
                image.Pixels[o + 2] = (byte)(128 + (int)(100 * Math.Sin((x + y + phase) / 9.0)));
            }
        }

        return image;
    }

    public static double Psnr(RgbImage a, RgbImage b)
    {
        double sum = 0;
        for (var i = 0; i < a.Pixels.Length; i++)
        {
            double d = a.Pixels[i] - b.Pixels[i];
            sum += d * d;
        }

        var mse = sum / a.Pixels.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255 * 255 / mse);
    }
}
