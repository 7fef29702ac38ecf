using static TorchSharp.torch;

namespace MediaStudio.Neural.Attention;

/// <summary>Blocked local attention whose cost scales with the window, not with the sequence length squared.</summary>
/// <remarks>
/// Notation: N = batch·heads rows, T queries, S keys, d head width, w window, b block (1-D) or tile side (2-D).
/// Windows count reach: causal 1-D lets query i see keys j with 0 ≤ i − j &lt; w (w keys including itself);
/// bidirectional 1-D lets |i − j| &lt; w; 2-D lets |Δy| &lt; w and |Δx| &lt; w. So w ≥ the sequence length is full attention.
/// 1-D: queries are cut into blocks of b; each block attends to a contiguous key band of b + (w − 1) keys (causal)
/// or b + 2(w − 1) (bidirectional), and a (blocks, b, band) mask trims the band to the exact window. Cost
/// O(T·(b + w)·d) instead of O(T²·d). 2-D does the same with b×b tiles and (b + 2(w − 1))² key bands: O(H·W·(b + 2w)²·d).
/// Blocks away from the sequence ends share one mask and run as a single fused call; only the edge blocks carry their own.
/// A few queries (decoding) take one dense call over the at most w − 1 + T keys still in reach.
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

        if (t <= (block > 0 ? block : AutoBlock(window)))
        {
            // a few queries (decoding): one dense call over the at most w − 1 + T remaining keys
            var dense = WindowedAttention.DenseMask1D(t, k.shape[1], window, causal, q.device);           // (T, S')
            return ScaledDotProduct.Fused(q.unsqueeze(0), k.unsqueeze(0), v.unsqueeze(0), mask: dense).squeeze(0).MoveToOuterDisposeScope();
        }

        long b = block > 0 ? block : AutoBlock(window);
        var blocks = (t + b - 1) / b;
        var band = b + reachBack + reachAhead;
        long[] keyPad = [0, 0, reachBack - prefix, (blocks * b) - t + reachAhead];
        var kp = nn.functional.pad(k, keyPad);                                          // (N, blocks·b + reach, d)
        var vp = nn.functional.pad(v, keyPad);
        var qp = nn.functional.pad(q, [0, 0, 0, (blocks * b) - t]);                     // (N, blocks·b, d)
        var mask = BandMask1D(blocks, b, band, reachBack, window, causal, t, prefix, q.device); // (blocks, b, band)

        // Interior blocks share one (b, band) mask: the window alone, every band key exists. They run as one fused
        // call over unfold views (blocks as heads, the 2-D mask broadcast). The few edge blocks, whose band reaches
        // past the sequence (zero padding that must not be attended), run as one call per side with their exact
        // (blocks, b, band) masks. One call with a per-block mask for all blocks measured ~4x slower on CPU, one call
        // per block ~30% slower.
        var left = Math.Min(blocks, (reachBack - prefix + b - 1) / b);                   // bands starting before key 0
        var right = Math.Min(blocks - left, causal ? 0 : blocks - ((t - reachAhead) / b)); // bands ending after key T − 1
        var interior = blocks - left - right;
        Tensor Run(long first, long count, Tensor blockMask)
        {
            var qb = qp.narrow(1, first * b, count * b).view(n, count, b, d);                                   // (N, count, b, d)
            var kb = kp.narrow(1, first * b, ((count - 1) * b) + band).unfold(1, band, b).transpose(-1, -2);   // (N, count, band, d)
            var vb = vp.narrow(1, first * b, ((count - 1) * b) + band).unfold(1, band, b).transpose(-1, -2);
            return ScaledDotProduct.Fused(qb, kb, vb, mask: blockMask).reshape(n, count * b, dv);               // (N, count·b, dv)
        }

        var parts = new List<Tensor>();
        if (left > 0)
        {
            parts.Add(Run(0, left, mask.narrow(0, 0, left)));
        }

        if (interior > 0)
        {
            parts.Add(Run(left, interior, mask[left]));
        }

        if (right > 0)
        {
            parts.Add(Run(blocks - right, right, mask.narrow(0, blocks - right, right)));
        }

        return cat(parts, 1).narrow(1, 0, t).MoveToOuterDisposeScope();                  // (N, T, dv)
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
        var distance = arange(keys - queries, keys, device: device).unsqueeze(1) - arange(0, keys, device: device).unsqueeze(0); // (T, S) i − j
        var visible = causal ? distance.ge(0).logical_and(distance.lt(window)) : distance.abs().lt(window);
        return visible.MoveToOuterDisposeScope();
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

    /// <summary>The default 1-D query block: 32 for windows up to 256, else 64 (fastest on CPU, one thread, d = 32, T = 4096, among 16 to 128).</summary>
    public static long AutoBlock(int window) => window switch
    {
        <= 0 => throw new ArgumentOutOfRangeException(nameof(window), window, "windows are positive"),
        <= 256 => 32,
        _ => 64,
    };

    // (N, Hp + 2r, Wp + 2r, d) -> (N, tiles, band², d)
    private static Tensor Bands2D(Tensor padded, long tile, long band)
    {
        var (n, d) = (padded.shape[0], padded.shape[3]);
        var bands = padded.unfold(1, band, tile).unfold(2, band, tile);       // (N, tilesY, tilesX, d, band, band)
        return bands.permute(0, 1, 2, 4, 5, 3).reshape(n, bands.shape[1] * bands.shape[2], band * band, d);
    }

    // Query a of block m sits at m·b + a; band key c at m·b + c − reachBack, so i − j = a − c + reachBack for every block.
    private static Tensor BandMask1D(long blocks, long block, long band, long reachBack, int window, bool causal, long queries, long prefix, Device device)
    {
        var blockStart = (arange(0, blocks, device: device) * block).view(blocks, 1, 1);
        var a = arange(0, block, device: device).view(1, block, 1);
        var c = arange(0, band, device: device).view(1, 1, band);
        var distance = a - c + reachBack;                                       // (1, b, band)
        var inWindow = causal ? distance.ge(0).logical_and(distance.lt(window)) : distance.abs().lt(window);
        var key = blockStart + c - reachBack;                                   // (blocks, 1, band), relative to the first query
        var keyExists = key.ge(-prefix).logical_and(key.lt(queries));
        var paddedQuery = (blockStart + a).ge(queries);                         // (blocks, b, 1): rows that are thrown away
        return inWindow.logical_and(keyExists).logical_or(paddedQuery);         // (blocks, b, band)
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
