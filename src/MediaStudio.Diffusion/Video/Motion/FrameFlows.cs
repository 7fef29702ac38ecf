using MediaStudio.Diffusion.Video.Flow;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Motion;

/// <summary>Per-frame flows to the previous and next frame of a clip, with their forward-backward validity, at any feature resolution.</summary>
/// <remarks>
/// Notation: F frames, P_f = flow f → f−1 and N_f = flow f → f+1 on frame f's grid (pixels), w^P_f, w^N_f the soft
/// consistency weights of <see cref="FlowConsistency.Weights"/>. Frames without that neighbour (the first and last
/// of a clip or chunk) get weight 0. At a feature map of side h = H/k the flow is average-pooled by k and divided by k
/// (one unit stays one feature cell), the weights average-pooled. Rows are clip-major like the editor's batch.
/// </remarks>
public sealed class FrameFlows : IDisposable
{
    private readonly Dictionary<long, (Tensor, Tensor, Tensor, Tensor)> _levels = [];

    private FrameFlows(Tensor prev, Tensor prevWeight, Tensor next, Tensor nextWeight)
    {
        _levels[prev.shape[2]] = (prev, prevWeight, next, nextWeight);
        Height = prev.shape[2];
    }

    /// <summary>Gets the full-resolution height.</summary>
    public long Height { get; }

    /// <summary>Builds the flows of B clips of F frames, the batch repeated <paramref name="copies"/> times (e.g. 2 for guidance).</summary>
    /// <param name="forward">(B, F−1, 2, H, W) or (F−1, 2, H, W): flow f → f+1 on frame f's grid.</param>
    /// <param name="backward">Same shape: flow f+1 → f on frame f+1's grid.</param>
    /// <param name="copies">Copies of the batch.</param>
    /// <param name="sigma">Consistency σ in pixels.</param>
    public static FrameFlows FromPairs(Tensor forward, Tensor backward, int copies, double sigma)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(backward);
        using var scope = NewDisposeScope();
        var fw = forward.dim() == 4 ? forward.unsqueeze(0) : forward;                  // (B, F−1, 2, H, W)
        var bw = backward.dim() == 4 ? backward.unsqueeze(0) : backward;
        var (b, pairs, h, w) = (fw.shape[0], fw.shape[1], fw.shape[3], fw.shape[4]);
        var flatF = fw.reshape(b * pairs, 2, h, w);
        var flatB = bw.reshape(b * pairs, 2, h, w);
        var prevWeight = FlowConsistency.Weights(flatB, flatF, sigma).view(b, pairs, 1, h, w);   // on frames 1..F−1
        var nextWeight = FlowConsistency.Weights(flatF, flatB, sigma).view(b, pairs, 1, h, w);   // on frames 0..F−2
        var zeroFlow = zeros([b, 1, 2, h, w], dtype: fw.dtype, device: fw.device);
        var zeroWeight = zeros([b, 1, 1, h, w], dtype: fw.dtype, device: fw.device);
        Tensor Rows(Tensor t, long c) => t.reshape(b * (pairs + 1), c, h, w).repeat(copies, 1, 1, 1); // (copies·B·F, c, H, W)
        var prev = Rows(cat([zeroFlow, bw], 1), 2);
        var pw = Rows(cat([zeroWeight, prevWeight], 1), 1);
        var next = Rows(cat([fw, zeroFlow], 1), 2);
        var nw = Rows(cat([nextWeight, zeroWeight], 1), 1);
        return new FrameFlows(prev.DetachFromDisposeScope(), pw.DetachFromDisposeScope(), next.DetachFromDisposeScope(), nw.DetachFromDisposeScope());
    }

    /// <summary>Flows and weights at side <paramref name="height"/>: (Prev (N, 2, h, w), PrevWeight (N, 1, h, w), Next, NextWeight).</summary>
    public (Tensor Prev, Tensor PrevWeight, Tensor Next, Tensor NextWeight) At(long height)
    {
        if (_levels.TryGetValue(height, out var level))
        {
            return level;
        }

        var k = Height / height;
        if (k * height != Height)
        {
            throw new ArgumentException($"feature side {height} does not divide the flow side {Height}", nameof(height));
        }

        var (prev, pw, next, nw) = _levels[Height];
        using var scope = NewDisposeScope();
        var pooled = (
            (nn.functional.avg_pool2d(prev, k) / k).DetachFromDisposeScope(),
            nn.functional.avg_pool2d(pw, k).DetachFromDisposeScope(),
            (nn.functional.avg_pool2d(next, k) / k).DetachFromDisposeScope(),
            nn.functional.avg_pool2d(nw, k).DetachFromDisposeScope());
        _levels[height] = pooled;
        return pooled;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var (a, b, c, d) in _levels.Values)
        {
            a.Dispose();
            b.Dispose();
            c.Dispose();
            d.Dispose();
        }

        _levels.Clear();
    }
}
