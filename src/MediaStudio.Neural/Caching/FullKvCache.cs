using static TorchSharp.torch;

namespace MediaStudio.Neural.Caching;

/// <summary>A preallocated key/value cache with a write index per layer: appending costs O(new tokens), not a re-concatenation.</summary>
/// <remarks>Keys and values are (B, G, capacity, d); <see cref="Update"/> returns views of the filled prefix.</remarks>
public sealed class FullKvCache : IKvCache
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;
    private readonly long[] _lengths;
    private readonly long _capacity;
    private readonly long _batch;
    private bool _disposed;

    /// <summary>Allocates the cache.</summary>
    public FullKvCache(int layers, long batch, int kvHeads, int headDim, long capacity, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (layers <= 0 || batch <= 0 || kvHeads <= 0 || headDim <= 0 || capacity <= 0)
        {
            throw new ArgumentException($"layers, batch, kvHeads, headDim and capacity must be positive, got {layers}, {batch}, {kvHeads}, {headDim}, {capacity}");
        }

        _capacity = capacity;
        _batch = batch;
        _lengths = new long[layers];
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        for (var layer = 0; layer < layers; layer++)
        {
            _keys[layer] = CacheStorage.Allocate([batch, kvHeads, capacity, headDim], dtype, device);
            _values[layer] = CacheStorage.Allocate([batch, kvHeads, capacity, headDim], dtype, device);
        }

        BytesPerToken = (long)layers * 2 * kvHeads * headDim * CacheStorage.ElementSize(dtype);
    }

    public long Length => _lengths.Min();

    public long BytesPerToken { get; }

    public long AllocatedBytes => _batch * _capacity * BytesPerToken;

    public long BytesAt(long length) => length * BytesPerToken;

    /// <summary>Appends one layer's new keys and values, (B, G, T, d) each.</summary>
    /// <returns>Views (B, G, S, d) of everything this layer holds, new tokens last.</returns>
    public (Tensor Keys, Tensor Values) Update(int layer, Tensor keys, Tensor values)
    {
        CacheStorage.CheckLayer(layer, _keys.Length);
        var (start, count) = (_lengths[layer], keys.shape[2]);
        if (start + count > _capacity)
        {
            throw new InvalidOperationException($"layer {layer} holds {start} tokens; {count} more exceed the capacity of {_capacity}");
        }

        using (no_grad())
        {
            using var keySlot = _keys[layer].narrow(2, start, count);
            using var valueSlot = _values[layer].narrow(2, start, count);
            keySlot.copy_(keys);
            valueSlot.copy_(values);
        }

        _lengths[layer] = start + count;
        return (_keys[layer].narrow(2, 0, start + count), _values[layer].narrow(2, 0, start + count));
    }

    public void Truncate(long length)
    {
        CacheStorage.CheckTruncate(length, Length);
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
        foreach (var tensor in _keys.Concat(_values))
        {
            tensor.Dispose();
        }
    }
}
