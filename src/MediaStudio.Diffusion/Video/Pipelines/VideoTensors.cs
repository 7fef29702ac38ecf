using MediaStudio.Media.Images;
using MediaStudio.Neural.Runtime;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Pipelines;

/// <summary>Frames and masks as tensors: images (N, 3, H, W) in [-1, 1], masks (N, 1, H, W) in {0, 1}, and resizing between them.</summary>
public static class VideoTensors
{
    /// <summary>Stacks equal-size images into (N, 3, H, W) in [-1, 1].</summary>
    public static Tensor FromImages(IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var (w, h) = (images[0].Width, images[0].Height);
        var data = new byte[images.Count * h * w * 3];
        for (var i = 0; i < images.Count; i++)
        {
            if (images[i].Width != w || images[i].Height != h)
            {
                throw new ArgumentException($"image {i} is {images[i].Width}x{images[i].Height}, the first is {w}x{h}", nameof(images));
            }

            images[i].Pixels.CopyTo(data, i * h * w * 3);
        }

        using var scope = NewDisposeScope();
        var bytes = tensor(data, [images.Count, h, w, 3]);                        // (N, H, W, 3)
        return PixelTensors.ToUnitRange(bytes.permute(0, 3, 1, 2)).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Stacks width × height byte masks (non-zero = inside) into (N, 1, H, W) in {0, 1}.</summary>
    public static Tensor FromMasks(IReadOnlyList<byte[]> masks, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(masks);
        var data = new float[masks.Count * width * height];
        for (var i = 0; i < masks.Count; i++)
        {
            if (masks[i].Length != width * height)
            {
                throw new ArgumentException($"mask {i} has {masks[i].Length} entries, expected {width * height}", nameof(masks));
            }

            for (var p = 0; p < masks[i].Length; p++)
            {
                data[(i * width * height) + p] = masks[i][p] != 0 ? 1f : 0f;
            }
        }

        return tensor(data, [masks.Count, 1, height, width]);
    }

    /// <summary>Converts (N, 1, H, W) masks back to 0/255 bytes.</summary>
    public static IReadOnlyList<byte[]> ToMasks(Tensor masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        using var scope = NewDisposeScope();
        var (n, plane) = ((int)masks.shape[0], (int)(masks.shape[2] * masks.shape[3]));
        var data = masks.gt(0.5f).to_type(ScalarType.Byte).mul(255).contiguous().data<byte>().ToArray();
        return [.. Enumerable.Range(0, n).Select(i => data.AsSpan(i * plane, plane).ToArray())];
    }

    /// <summary>Resizes images (N, C, H, W): area averaging when shrinking, bilinear when growing.</summary>
    public static Tensor Resize(Tensor images, long height, long width)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.shape[2] == height && images.shape[3] == width)
        {
            return images.clone();
        }

        var shrink = images.shape[2] >= height && images.shape[3] >= width;
        return nn.functional.interpolate(images, [height, width], mode: shrink ? InterpolationMode.Area : InterpolationMode.Bilinear, align_corners: shrink ? null : false);
    }

    /// <summary>Resizes masks to the model's side: a cell is inside when at least a quarter of it is, then dilated by <paramref name="dilate"/> cells.</summary>
    public static Tensor ResizeMask(Tensor masks, long height, long width, int dilate)
    {
        ArgumentNullException.ThrowIfNull(masks);
        using var scope = NewDisposeScope();
        var resized = nn.functional.interpolate(masks, [height, width], mode: InterpolationMode.Area).ge(0.25f).to_type(ScalarType.Float32);
        if (dilate > 0)
        {
            resized = nn.functional.max_pool2d(resized, (2 * dilate) + 1, 1, dilate);
        }

        return resized.MoveToOuterDisposeScope();
    }

    /// <summary>Replaces each mask (N, 1, H, W) by its bounding box; an empty mask stays empty.</summary>
    public static Tensor BoundingBoxes(Tensor masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        using var scope = NewDisposeScope();
        var on = masks.gt(0.5f).to_type(ScalarType.Float32);
        var rows = Between(on.amax([3]));                                          // (N, 1, H): a row between the first and last occupied ones
        var cols = Between(on.amax([2]));                                          // (N, 1, W)
        return (rows.unsqueeze(3) * cols.unsqueeze(2)).MoveToOuterDisposeScope(); // (N, 1, H, W)

        // 1 where some entry at or before and some entry at or after is 1, along the last dimension
        static Tensor Between(Tensor occupied)
        {
            var (before, _) = occupied.cummax(-1);
            var (after, _) = occupied.flip(-1).cummax(-1);
            return before * after.flip(-1);
        }
    }
}
