using MediaStudio.Media.Images;
using MediaStudio.Neural.Runtime;
using static TorchSharp.torch;

namespace MediaStudio.Synthetic.Rendering;

/// <summary>RGB images to the planar float batch every image model here reads.</summary>
public static class RgbBatch
{
    /// <summary>Images of one size -> (B, 3, H, W) float32 in [-1, 1].</summary>
    /// <exception cref="ArgumentException">No images, or images of different sizes.</exception>
    public static Tensor FromImages(IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            throw new ArgumentException("at least one image is needed", nameof(images));
        }

        var (w, h) = (images[0].Width, images[0].Height);
        var plane = w * h;
        var data = new byte[images.Count * 3 * plane];
        for (var b = 0; b < images.Count; b++)
        {
            var image = images[b];
            if (image.Width != w || image.Height != h)
            {
                throw new ArgumentException($"all images must be {w}x{h}, image {b} is {image.Width}x{image.Height}", nameof(images));
            }

            for (var i = 0; i < plane; i++)
            {
                data[(b * 3 * plane) + i] = image.Pixels[i * 3];
                data[(b * 3 * plane) + plane + i] = image.Pixels[(i * 3) + 1];
                data[(b * 3 * plane) + (2 * plane) + i] = image.Pixels[(i * 3) + 2];
            }
        }

        using var bytes = tensor(data, [images.Count, 3, h, w]);
        return PixelTensors.ToUnitRange(bytes);
    }
}
