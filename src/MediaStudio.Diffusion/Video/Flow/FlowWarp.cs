using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace MediaStudio.Diffusion.Video.Flow;

/// <summary>
/// Backward warping by a dense pixel flow: out(p) = x(p + F(p)), bilinear, with the sample point clamped to the
/// frame (border padding), the same convention as <c>ClipRenderer.Warp</c>.
/// </summary>
/// <remarks>
/// Notation: x (B, C, H, W) the image or feature map to sample, F (B, 2, H, W) the flow in pixels on the output grid
/// (channel 0 = dx, channel 1 = dy), p = (u, v) an integer pixel index (pixel centres sit on integers). To bring frame
/// g onto frame f's grid, pass x = frame g and F = the flow f -> g. grid_sample's normalised coordinate is
/// u' = 2 u / (W - 1) - 1 with align_corners = true, so u = 0 and u = W - 1 are the first and last pixel centres and
/// one unit of F is exactly one pixel at any resolution of x that matches F's H and W.
/// </remarks>
public static class FlowWarp
{
    /// <summary>Samples <paramref name="x"/> at p + F(p) for every output pixel p.</summary>
    /// <param name="x">(B, C, H, W) float tensor.</param>
    /// <param name="flow">(B, 2, H, W) or (1, 2, H, W) pixel flow, dx then dy.</param>
    /// <param name="border">Border padding clamps sample points to the frame; zeros padding fades them to 0 outside.</param>
    /// <returns>(B, C, H, W).</returns>
    public static Tensor Warp(Tensor x, Tensor flow, bool border = true)
    {
        CheckPair(x, flow);
        using var scope = NewDisposeScope();
        var grid = SampleGrid(flow); // (B, H, W, 2)
        if (grid.shape[0] != x.shape[0])
        {
            grid = grid.expand(x.shape[0], -1, -1, -1);
        }

        var warped = grid_sample(
            x, grid.to_type(x.dtype), GridSampleMode.Bilinear, border ? GridSamplePaddingMode.Border : GridSamplePaddingMode.Zeros, align_corners: true);
        return warped.MoveToOuterDisposeScope();
    }

    /// <summary>1 where p + F(p) lands inside the frame (within half a pixel of the outer pixel centres), else 0.</summary>
    /// <param name="flow">(B, 2, H, W) pixel flow.</param>
    /// <returns>(B, 1, H, W) float.</returns>
    public static Tensor InFrame(Tensor flow)
    {
        CheckFlow(flow, nameof(flow));
        using var scope = NewDisposeScope();
        var (h, w) = (flow.shape[2], flow.shape[3]);
        var (u, v) = PixelGrid(h, w, flow.device, flow.dtype); // (1, 1, H, W) each
        var x = u + flow.narrow(1, 0, 1);
        var y = v + flow.narrow(1, 1, 1);
        var inside = x.ge(-0.5).logical_and(x.le(w - 0.5)).logical_and(y.ge(-0.5)).logical_and(y.le(h - 0.5));
        return inside.to_type(flow.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The pixel index grids u (column) and v (row), each (1, 1, H, W).</summary>
    internal static (Tensor U, Tensor V) PixelGrid(long height, long width, Device device, ScalarType dtype)
    {
        var v = arange(height, dtype, device).view(1, 1, height, 1).expand(1, 1, height, width);
        var u = arange(width, dtype, device).view(1, 1, 1, width).expand(1, 1, height, width);
        return (u, v);
    }

    internal static void CheckFlow(Tensor flow, string name)
    {
        ArgumentNullException.ThrowIfNull(flow, name);
        if (flow.dim() != 4 || flow.shape[1] != 2)
        {
            throw new ArgumentException($"flow must be (B, 2, H, W), got ({string.Join(", ", flow.shape)})", name);
        }
    }

    private static void CheckPair(Tensor x, Tensor flow)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckFlow(flow, nameof(flow));
        if (x.dim() != 4)
        {
            throw new ArgumentException($"x must be (B, C, H, W), got ({string.Join(", ", x.shape)})", nameof(x));
        }

        if (x.shape[2] != flow.shape[2] || x.shape[3] != flow.shape[3] || (flow.shape[0] != x.shape[0] && flow.shape[0] != 1))
        {
            throw new ArgumentException(
                $"flow ({string.Join(", ", flow.shape)}) does not match x ({string.Join(", ", x.shape)}): need the same H, W and batch (or batch 1)",
                nameof(flow));
        }
    }

    /// <summary>(B, 2, H, W) pixel flow -> (B, H, W, 2) grid_sample coordinates in [-1, 1] (align_corners = true).</summary>
    private static Tensor SampleGrid(Tensor flow)
    {
        var (h, w) = (flow.shape[2], flow.shape[3]);
        var (u, v) = PixelGrid(h, w, flow.device, flow.dtype);
        var x = u + flow.narrow(1, 0, 1); // (B, 1, H, W)
        var y = v + flow.narrow(1, 1, 1);
        var gx = w > 1 ? (x * (2.0 / (w - 1))) - 1 : zeros_like(x);
        var gy = h > 1 ? (y * (2.0 / (h - 1))) - 1 : zeros_like(y);
        return cat([gx, gy], 1).permute(0, 2, 3, 1); // (B, H, W, 2)
    }
}
