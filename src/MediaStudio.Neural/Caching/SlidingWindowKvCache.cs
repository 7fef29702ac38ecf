using MediaStudio.Neural.Attention;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Caching;

/// <summary>What one group of KV heads with a common window attends to after an update.</summary>
/// <param name="KeyHeadStart">First KV head of the group.</param>
/// <param name="Keys">(B, heads in group, S_g, d): the tokens still kept, oldest first, then the new ones.</param>
/// <param name="Values">(B, heads in group, S_g, d).</param>
/// <param name="FirstPosition">Absolute position of <c>Keys[:, :, 0]</c>.</param>
public sealed record WindowedKeys(int KeyHeadStart, Tensor Keys, Tensor Values, long FirstPosition);

/// <summary>A ring-buffer cache for sliding-window and multi-scale window attention: each KV head keeps only the tokens its window can still see.</summary>
/// <remarks>
/// KV heads with equal windows share one ring of capacity w + headroom, written at position mod capacity. A KV head
/// shared by query heads with different windows keeps the largest (<see cref="WindowSchedule.KeyValueWindows"/>).
/// <see cref="Truncate"/> can roll back at most <c>headroom</c> tokens, because older ones have been overwritten.
/// </remarks>
public sealed class SlidingWindowKvCache : IKvCache
{
    private readonly Ring[][] _rings;
    private readonly long[] _lengths;
    private readonly long _batch;
    private readonly int _elementSize;
    private readonly int _headDim;
    private bool _disposed;

    /// <summary>Allocates the rings.</summary>
    /// <param name="kvWindows">Per layer, the window of each KV head.</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="headDim">Head width d.</param>
    /// <param name="headroom">Extra slots per ring that make a rollback of up to this many tokens possible.</param>
    /// <param name="dtype">Element type.</param>
    /// <param name="device">Device.</param>
    public SlidingWindowKvCache(IReadOnlyList<IReadOnlyList<int>> kvWindows, long batch, int headDim, int headroom = 0, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (kvWindows.Count == 0 || batch <= 0 || headDim <= 0 || headroom < 0 || kvWindows.Any(l => l.Count == 0 || l.Any(w => w <= 0)))
        {
            throw new ArgumentException("need at least one layer, every layer with positive KV windows, and positive batch and headDim");
        }

        _batch = batch;
        _headDim = headDim;
        _elementSize = CacheStorage.ElementSize(dtype);
        _lengths = new long[kvWindows.Count];
        _rings = [.. kvWindows.Select(layer => WindowSchedule.Runs(layer)
            .Select(run => new Ring(run.Start, run.Count, run.Window, run.Window + headroom, batch, headDim, dtype, device))
            .ToArray())];
        BytesPerToken = kvWindows.Sum(layer => (long)layer.Count) * 2 * headDim * _elementSize;
    }

    public long Length => _lengths.Min();

    public long BytesPerToken { get; }

    public long AllocatedBytes => _rings.SelectMany(r => r).Sum(r => _batch * r.Capacity * RingBytesPerToken(r));

    public long BytesAt(long length) => _rings.SelectMany(r => r).Sum(r => Math.Min(length, r.Capacity) * RingBytesPerToken(r));

    /// <summary>Appends one layer's keys and values, (B, G, T, d) each.</summary>
    /// <returns>For each window group, the kept tokens followed by the new ones.</returns>
    public IReadOnlyList<WindowedKeys> Update(int layer, Tensor keys, Tensor values)
    {
        CacheStorage.CheckLayer(layer, _rings.Length);
        var (length, count) = (_lengths[layer], keys.shape[2]);
        var views = new List<WindowedKeys>();
        using (no_grad())
        {
            foreach (var ring in _rings[layer])
            {
                var oldest = Math.Max(ring.Oldest, length - ring.Capacity);            // first position still held
                var newKeys = keys.narrow(1, ring.HeadStart, ring.Heads);              // (B, g, T, d)
                var newValues = values.narrow(1, ring.HeadStart, ring.Heads);
                using var slots = arange(oldest, length, device: keys.device).remainder(ring.Capacity);
                var allKeys = cat([ring.Keys.index_select(2, slots), newKeys], 2);      // (B, g, S_g, d)
                var allValues = cat([ring.Values.index_select(2, slots), newValues], 2);
                var keep = Math.Min(count, ring.Capacity);
                using var writeSlots = arange(length + count - keep, length + count, device: keys.device).remainder(ring.Capacity);
                ring.Keys.index_copy_(2, writeSlots, newKeys.narrow(2, count - keep, keep));
                ring.Values.index_copy_(2, writeSlots, newValues.narrow(2, count - keep, keep));
                ring.Oldest = Math.Max(oldest, length + count - ring.Capacity);
                views.Add(new WindowedKeys(ring.HeadStart, allKeys, allValues, oldest));
            }
        }

        _lengths[layer] = length + count;
        return views;
    }

    public void Truncate(long length)
    {
        CacheStorage.CheckTruncate(length, Length);
        foreach (var ring in _rings.SelectMany(r => r))
        {
            if (length - ring.Oldest < Math.Min(length, ring.Window))
            {
                throw new InvalidOperationException(
                    $"cannot roll back to {length} tokens: a window of {ring.Window} needs positions from {Math.Max(0, length - ring.Window)}, and the ring now starts at {ring.Oldest} (raise headroom)");
            }
        }

        for (var layer = 0; layer < _lengths.Length; layer++)
        {
            _lengths[layer] = length;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var ring in _rings.SelectMany(r => r))
        {
            ring.Keys.Dispose();
            ring.Values.Dispose();
        }
    }

    private long RingBytesPerToken(Ring ring) => 2L * ring.Heads * _headDim * _elementSize;

    private sealed class Ring(int headStart, int heads, int window, int capacity, long batch, int headDim, ScalarType dtype, Device? device)
    {
        public int HeadStart { get; } = headStart;

        public int Heads { get; } = heads;

        public int Window { get; } = window;

        public int Capacity { get; } = capacity;

        public long Oldest { get; set; }

        public Tensor Keys { get; } = CacheStorage.Allocate([batch, heads, capacity, headDim], dtype, device);

        public Tensor Values { get; } = CacheStorage.Allocate([batch, heads, capacity, headDim], dtype, device);
    }
}
