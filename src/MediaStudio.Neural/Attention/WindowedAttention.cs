using static TorchSharp.torch;

namespace MediaStudio.Neural.Attention;

/// <summary>Blocked local attention whose cost scales with the window, not with the sequence length squared.</summary>
/// <remarks>
/// Notation: N = batch·heads rows, T queries, S keys, d head width, w window, b block (1-D) or tile side (2-D).
/// Windows count reach: causal 1-D lets query i see keys j with 0 ≤ i − j &lt; w (w keys including itself);
/// bidirectional 1-D lets |i − j| &lt; w; 2-D lets |Δy| &lt; w and |Δx| &lt; w. So w ≥ the sequence length is full attention.
/// 1-D: queries are cut into blocks of b; each block attends to a contiguous key band of b + (w − 1) keys (causal)
/// or b + 2(w − 1) (bidirectional), and one (b, band) mask shared by every block trims the band to the exact window.
/// Cost O(T·(b + w)·d) instead of O(T²·d). The queries near the sequence ends, whose band would leave it, take a dense
/// call over the keys in their reach, as do a few queries (decoding). 2-D does the same with b×b tiles and
/// (b + 2(w − 1))² key bands: O(H·W·(b + 2w)²·d); tiles away from the border share one mask and run as a single fused
/// call, the border tiles carry their own.
/// With a prefix of cached keys (causal only), the T queries are the last T of the S key positions.
/// </remarks>
public static class WindowedAttention
{
    /// <summary>1-D window attention; falls back to dense attention when the window covers every key.</summary>
    /// <param name="q">(N, T, d).</param>
    /// <param name="k">(N, S, d), S ≥ T; S = T unless causal.</param>
    /// <param name="v">(N, S, dv).</param>
    /// <param name="window">Window w (reach, see remarks).</param>
    /// <param name="causal">Causal (language) or bidirectional (frames).</param>
    /// <param name="block">Query block; 0 picks <see cref="AutoBlock"/>.</param>
    public static Tensor Attend1D(Tensor q, Tensor k, Tensor v, int window, bool causal, int block = 0)
    {
        if (window >= k.shape[1])
        {
            using var scope = NewDisposeScope();
            var y = ScaledDotProduct.Fused(q.unsqueeze(1), k.unsqueeze(1), v.unsqueeze(1), causal); // (N, 1, T, dv)
            return y.squeeze(1).MoveToOuterDisposeScope();
        }

        return Banded1D(q, k, v, window, causal, block);
    }

    /// <summary>The blocked 1-D kernel, used even when the window covers everything (for tests).</summary>
    public static Tensor Banded1D(Tensor q, Tensor k, Tensor v, int window, bool causal, int block = 0)
    {
        using var scope = NewDisposeScope();
        var (n, t, d, dv) = (q.shape[0], q.shape[1], q.shape[2], v.shape[2]);
        var prefix = k.shape[1] - t;
        if (prefix < 0 || (!causal && prefix != 0))
        {
            throw new ArgumentException($"keys ({k.shape[1]}) must equal the queries ({t}), or exceed them only for causal attention");
        }

        long reachBack = window - 1, reachAhead = causal ? 0 : window - 1;
        if (prefix > reachBack)
        {
            // keys older than the first query's window are never seen
            (k, v) = (k.narrow(1, prefix - reachBack, k.shape[1] - prefix + reachBack), v.narrow(1, prefix - reachBack, k.shape[1] - prefix + reachBack));
            prefix = reachBack;
        }

        long b = block > 0 ? block : AutoBlock(window);

        // Query i sits at key position prefix + i. Queries whose band would start before key 0 (the head) or end after
        // the last key (the tail, bidirectional only), and the remainder that does not fill a block, each take one
        // dense call over the keys in their reach with an exact (queries, keys) mask. The blocks in between run as one
        // fused call over unfold views of the keys (blocks as heads) with the one (b, band) mask they all share; no
        // key is padded, so no mask needs to say which keys exist. Cost O(T·(b + w)·d) instead of O(T²·d).
        var head = Math.Min(t, Math.Max(0, reachBack - prefix));
        var blocks = Math.Max(0, t - head - reachAhead) / b;                      // bands end at or before the last key
        var body = blocks * b;
        var parts = new List<Tensor>();
        if (head > 0)
        {
            parts.Add(DenseRange(q, k, v, 0, head, prefix, window, causal));
        }

        if (blocks > 0)
        {
            var band = b + reachBack + reachAhead;
            var first = prefix + head - reachBack;                                                   // key at band start of block 0
            var qb = q.narrow(1, head, body).reshape(n, blocks, b, d);                                // (N, blocks, b, d)
            var kb = k.narrow(1, first, body - b + band).unfold(1, band, b).transpose(-1, -2);       // (N, blocks, band, d)
            var vb = v.narrow(1, first, body - b + band).unfold(1, band, b).transpose(-1, -2);       // (N, blocks, band, dv)
            var mask = WindowMask(reachBack, b, 0, band, window, causal, q.device);                  // (b, band)
            parts.Add(ScaledDotProduct.Fused(qb, kb, vb, mask: mask).reshape(n, body, dv));
        }

        if (head + body < t)
        {
            parts.Add(DenseRange(q, k, v, head + body, t - head - body, prefix, window, causal));
        }

        return (parts.Count == 1 ? parts[0] : cat(parts, 1)).MoveToOuterDisposeScope();              // (N, T, dv)
    }

    /// <summary>2-D local window attention over an H×W token grid in row-major order.</summary>
    /// <param name="q">(N, H·W, d).</param>
    /// <param name="k">(N, H·W, d).</param>
    /// <param name="v">(N, H·W, dv).</param>
    /// <param name="height">Grid height H.</param>
    /// <param name="width">Grid width W.</param>
    /// <param name="window">Window w per axis (reach, see remarks).</param>
    /// <param name="tile">Query tile side; 0 picks min(max(w, 4), 16).</param>
    public static Tensor Attend2D(Tensor q, Tensor k, Tensor v, int height, int width, int window, int tile = 0)
    {
        if (window >= Math.Max(height, width))
        {
            using var scope = NewDisposeScope();
            return ScaledDotProduct.Fused(q.unsqueeze(1), k.unsqueeze(1), v.unsqueeze(1)).squeeze(1).MoveToOuterDisposeScope();
        }

        return Banded2D(q, k, v, height, width, window, tile);
    }

    /// <summary>The tiled 2-D kernel, used even when the window covers everything (for tests).</summary>
    public static Tensor Banded2D(Tensor q, Tensor k, Tensor v, int height, int width, int window, int tile = 0)
    {
        using var scope = NewDisposeScope();
        var (n, d, dv) = (q.shape[0], q.shape[2], v.shape[2]);
        if (q.shape[1] != (long)height * width || k.shape[1] != q.shape[1])
        {
            throw new ArgumentException($"queries and keys must both hold {height}x{width} = {height * width} tokens, got {q.shape[1]} and {k.shape[1]}");
        }

        long b = tile > 0 ? tile : Math.Clamp(window, 4, 16), reach = window - 1;
        long tilesY = (height + b - 1) / b, tilesX = (width + b - 1) / b;
        var band = b + (2 * reach);
        long[] queryPad = [0, 0, 0, (tilesX * b) - width, 0, (tilesY * b) - height];
        long[] keyPad = [0, 0, reach, (tilesX * b) - width + reach, reach, (tilesY * b) - height + reach];
        var qt = nn.functional.pad(q.view(n, height, width, d), queryPad)
            .view(n, tilesY, b, tilesX, b, d).permute(0, 1, 3, 2, 4, 5).reshape(n, tilesY * tilesX, b * b, d); // (N, tiles, b², d)
        var kt = Bands2D(nn.functional.pad(k.view(n, height, width, d), keyPad), b, band);  // (N, tiles, band², d)
        var vt = Bands2D(nn.functional.pad(v.view(n, height, width, dv), keyPad), b, band); // (N, tiles, band², dv)
        var mask = BandMask2D(tilesY, tilesX, b, band, reach, window, height, width, q.device); // (tiles, b², band²)
        // Tiles away from the border share one (b², band²) mask, so they run in one fused call with that mask
        // broadcast; the border tiles, whose bands hold padding, are redone with their exact masks and copied in.
        var uniform = mask[tilesY / 2 * tilesX + tilesX / 2];                                   // (b², band²) a central tile
        var border = mask.ne(uniform.unsqueeze(0)).flatten(1).any(1).nonzero().squeeze(1);      // (E) tiles needing their own mask
        var y = ScaledDotProduct.Fused(qt, kt, vt, mask: uniform);                              // (N, tiles, b², dv)
        if (border.shape[0] > 0)
        {
            var exact = ScaledDotProduct.Fused(qt.index_select(1, border), kt.index_select(1, border), vt.index_select(1, border), mask: mask.index_select(0, border));
            y = y.index_copy(1, border, exact);                                                  // out of place: autograd-safe
        }

        y = y.view(n, tilesY, tilesX, b, b, dv).permute(0, 1, 3, 2, 4, 5).reshape(n, tilesY * b, tilesX * b, dv);
        return y.narrow(1, 0, height).narrow(2, 0, width).reshape(n, (long)height * width, dv).MoveToOuterDisposeScope();
    }

    /// <summary>Dense (T, S) window mask for the naive reference; the T queries are the last T of S positions.</summary>
    public static Tensor DenseMask1D(long queries, long keys, int window, bool causal, Device? device = null)
    {
        using var scope = NewDisposeScope();
        return WindowMask(keys - queries, queries, 0, keys, window, causal, device).MoveToOuterDisposeScope();
    }

    /// <summary>Dense (H·W, H·W) window mask for the naive 2-D reference.</summary>
    public static Tensor DenseMask2D(int height, int width, int window, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var ys = arange(0, (long)height * width, device: device).div(width, rounding_mode: RoundingMode.floor);
        var xs = arange(0, (long)height * width, device: device).remainder(width);
        var dy = (ys.unsqueeze(1) - ys.unsqueeze(0)).abs();
        var dx = (xs.unsqueeze(1) - xs.unsqueeze(0)).abs();
        return dy.lt(window).logical_and(dx.lt(window)).MoveToOuterDisposeScope();
    }

    /// <summary>The default 1-D query block: 32 for windows up to 512, else 64.</summary>
    /// <remarks>Fastest of 16 to 128 for every MSWA window of w = 256 (64 … 512) at T = 4096, d = 32, one thread; larger
    /// blocks pay for more masked keys per band, smaller ones for more, smaller matrix products.</remarks>
    public static long AutoBlock(int window) => window switch
    {
        <= 0 => throw new ArgumentOutOfRangeException(nameof(window), window, "windows are positive"),
        <= 512 => 32,
        _ => 64,
    };

    // (N, Hp + 2r, Wp + 2r, d) -> (N, tiles, band², d)
    private static Tensor Bands2D(Tensor padded, long tile, long band)
    {
        var (n, d) = (padded.shape[0], padded.shape[3]);
        var bands = padded.unfold(1, band, tile).unfold(2, band, tile);       // (N, tilesY, tilesX, d, band, band)
        return bands.permute(0, 1, 2, 4, 5, 3).reshape(n, bands.shape[1] * bands.shape[2], band * band, d);
    }

    // Queries first … first + count − 1 against every key within their reach, with the exact window mask.
    private static Tensor DenseRange(Tensor q, Tensor k, Tensor v, long first, long count, long prefix, int window, bool causal)
    {
        var position = prefix + first;                                            // key position of the first query
        var start = Math.Max(0, position - (window - 1));
        var end = Math.Min(k.shape[1], position + count + (causal ? 0 : window - 1));
        var (qs, ks, vs) = (q.narrow(1, first, count).unsqueeze(0), k.narrow(1, start, end - start).unsqueeze(0), v.narrow(1, start, end - start).unsqueeze(0));
        if (causal && start == position && end - start == count && count <= window)
        {
            // the first queries of a sequence, all within one window of key 0: plain causal attention, whose fused
            // kernel skips the masked half
            return ScaledDotProduct.Fused(qs, ks, vs, causal: true).squeeze(0);
        }

        var mask = WindowMask(position, count, start, end - start, window, causal, q.device); // (count, keys)
        return ScaledDotProduct.Fused(qs, ks, vs, mask: mask).squeeze(0);       // (N, count, dv)
    }

    // (queries, keys) window mask for queries at positions queryStart + a and keys at keyStart + c.
    private static Tensor WindowMask(long queryStart, long queries, long keyStart, long keys, int window, bool causal, Device? device)
    {
        var distance = arange(queryStart, queryStart + queries, device: device).unsqueeze(1) - arange(keyStart, keyStart + keys, device: device).unsqueeze(0);
        return causal ? distance.ge(0).logical_and(distance.lt(window)) : distance.abs().lt(window);
    }

    private static Tensor BandMask2D(long tilesY, long tilesX, long tile, long band, long reach, int window, int height, int width, Device device)
    {
        Tensor Axis(long tiles, int size, out Tensor padded)
        {
            var start = (arange(0, tiles, device: device) * tile).view(tiles, 1, 1);
            var a = arange(0, tile, device: device).view(1, tile, 1);
            var c = arange(0, band, device: device).view(1, 1, band);
            var key = start + c - reach;
            padded = (start + a).ge(size);                                        // (tiles, b, 1)
            return (a - c + reach).abs().lt(window).logical_and(key.ge(0)).logical_and(key.lt(size)); // (tiles, b, band)
        }

        var alongY = Axis(tilesY, height, out var padY);
        var alongX = Axis(tilesX, width, out var padX);
        var visible = alongY.view(tilesY, 1, tile, 1, band, 1).logical_and(alongX.view(1, tilesX, 1, tile, 1, band)); // (tY, tX, b, b, band, band)
        var padded = padY.view(tilesY, 1, tile, 1, 1, 1).logical_or(padX.view(1, tilesX, 1, tile, 1, 1));
        return visible.logical_or(padded).reshape(tilesY * tilesX, tile * tile, band * band);
    }
}
