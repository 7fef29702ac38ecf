using MediaStudio.Media.Images;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Pipelines;

/// <summary>Converts between image tensors (B, 3, H, W) in [-1, 1] and 8-bit RGB images.</summary>
public static class ImageTensors
{
    /// <summary>Clamps to [-1, 1], rounds to 8 bits and splits the batch into images.</summary>
    /// <param name="images">(B, 3, H, W) float tensor on any device.</param>
    /// <returns>One image per batch row.</returns>
    public static IReadOnlyList<RgbImage> ToImages(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[1] != 3)
        {
            throw new ArgumentException($"expected images of shape (B, 3, H, W), got ({string.Join(", ", images.shape)})", nameof(images));
        }

        using var scope = NewDisposeScope();
        var (count, height, width) = ((int)images.shape[0], (int)images.shape[2], (int)images.shape[3]);

        // (B, 3, H, W) in [-1, 1] -> (B, H, W, 3) bytes
        var bytes = ((images.detach().cpu().to_type(ScalarType.Float32).clamp(-1, 1) + 1) * 127.5f).round().to_type(ScalarType.Byte).permute(0, 2, 3, 1).contiguous();
        var data = bytes.data<byte>().ToArray();
        var plane = height * width * 3;
        var result = new RgbImage[count];
        for (var b = 0; b < count; b++)
        {
            result[b] = new RgbImage(width, height, data.AsSpan(b * plane, plane).ToArray());
        }

        return result;
    }
}
