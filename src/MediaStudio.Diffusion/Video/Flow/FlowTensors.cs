using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Rendering;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Flow;

/// <summary>Converts frames, flow fields and masks between their CPU types and (B, C, H, W) float tensors.</summary>
public static class FlowTensors
{
    /// <summary>Frames of equal size -> (B, 3, H, W) in [-1, 1].</summary>
    public static Tensor FromImages(IReadOnlyList<RgbImage> images) => RgbBatch.FromImages(images);

    /// <summary>Flow fields of equal size -> (B, 2, H, W) pixels, dx then dy.</summary>
    public static Tensor FromFields(IReadOnlyList<FlowField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Count == 0)
        {
            throw new ArgumentException("at least one flow field is needed", nameof(fields));
        }

        var (w, h) = (fields[0].Width, fields[0].Height);
        var plane = w * h;
        var data = new float[fields.Count * 2 * plane];
        for (var b = 0; b < fields.Count; b++)
        {
            if (fields[b].Width != w || fields[b].Height != h)
            {
                throw new ArgumentException($"all flow fields must be {w}x{h}, field {b} is {fields[b].Width}x{fields[b].Height}", nameof(fields));
            }

            fields[b].Dx.CopyTo(data, b * 2 * plane);
            fields[b].Dy.CopyTo(data, (b * 2 * plane) + plane);
        }

        return tensor(data, [fields.Count, 2, h, w]);
    }

    /// <summary>(B, 2, H, W) pixel flow -> one <see cref="FlowField"/> per batch row.</summary>
    public static IReadOnlyList<FlowField> ToFields(Tensor flow)
    {
        FlowWarp.CheckFlow(flow, nameof(flow));
        var (count, h, w) = ((int)flow.shape[0], (int)flow.shape[2], (int)flow.shape[3]);
        using var cpu = flow.detach().cpu().to_type(ScalarType.Float32).contiguous();
        var data = cpu.data<float>().ToArray();
        var plane = w * h;
        var result = new FlowField[count];
        for (var b = 0; b < count; b++)
        {
            var field = new FlowField(w, h);
            Array.Copy(data, b * 2 * plane, field.Dx, 0, plane);
            Array.Copy(data, (b * 2 * plane) + plane, field.Dy, 0, plane);
            result[b] = field;
        }

        return result;
    }

    /// <summary>Masks of <paramref name="width"/> x <paramref name="height"/> bytes (non-zero = inside) -> (B, 1, H, W) in {0, 1}.</summary>
    public static Tensor FromMasks(IReadOnlyList<byte[]> masks, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(masks);
        var plane = width * height;
        var data = new float[masks.Count * plane];
        for (var b = 0; b < masks.Count; b++)
        {
            if (masks[b].Length != plane)
            {
                throw new ArgumentException($"mask {b} has {masks[b].Length} bytes; a {width}x{height} mask needs {plane}", nameof(masks));
            }

            for (var i = 0; i < plane; i++)
            {
                data[(b * plane) + i] = masks[b][i] != 0 ? 1f : 0f;
            }
        }

        return tensor(data, [masks.Count, 1, height, width]);
    }

    /// <summary>(B, 1, H, W) -> one byte mask per row: 255 where the value is at least <paramref name="threshold"/>, else 0.</summary>
    public static IReadOnlyList<byte[]> ToMasks(Tensor masks, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.dim() != 4 || masks.shape[1] != 1)
        {
            throw new ArgumentException($"masks must be (B, 1, H, W), got ({string.Join(", ", masks.shape)})", nameof(masks));
        }

        var (count, plane) = ((int)masks.shape[0], (int)(masks.shape[2] * masks.shape[3]));
        using var bytes = masks.detach().cpu().ge(threshold).to_type(ScalarType.Byte).mul(255).contiguous();
        var data = bytes.data<byte>().ToArray();
        return [.. Enumerable.Range(0, count).Select(b => data.AsSpan(b * plane, plane).ToArray())];
    }
}
