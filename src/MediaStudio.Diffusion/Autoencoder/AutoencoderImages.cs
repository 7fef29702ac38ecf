using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Recognition;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>Conversions between RGB images and the autoencoder's (B, 3, H, W) float batches in [-1, 1].</summary>
public static class AutoencoderImages
{
    /// <summary>Stacks square images of one size into a batch (B, 3, S, S) in [-1, 1].</summary>
    /// <param name="images">Images, each <paramref name="size"/> x <paramref name="size"/>.</param>
    /// <param name="size">S.</param>
    /// <returns>The batch on the CPU.</returns>
    public static Tensor ToBatch(IReadOnlyList<RgbImage> images, int size) => SceneRecognizer.ToBatch(images, size);

    /// <summary>Converts a batch (B, 3, H, W) (any range; clamped to [-1, 1]) to 8-bit RGB images.</summary>
    /// <param name="batch">Images as produced by the decoder.</param>
    /// <returns>One image per batch entry.</returns>
    public static IReadOnlyList<RgbImage> ToImages(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.dim() != 4 || batch.shape[1] != 3)
        {
            throw new ArgumentException($"batch must be (B, 3, H, W), got [{string.Join(", ", batch.shape)}]", nameof(batch));
        }

        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var (b, h, w) = ((int)batch.shape[0], (int)batch.shape[2], (int)batch.shape[3]);
        var bytes = ((batch.detach().cpu().to(ScalarType.Float32).clamp(-1, 1) + 1) * 127.5).round()
            .to(ScalarType.Byte).permute(0, 2, 3, 1).contiguous(); // (B, H, W, 3)
        var data = bytes.data<byte>().ToArray();
        var plane = h * w * 3;
        var images = new List<RgbImage>(b);
        for (var i = 0; i < b; i++)
        {
            images.Add(new RgbImage(w, h, data.AsSpan(i * plane, plane).ToArray()));
        }

        return images;
    }
}
