using static TorchSharp.torch;

namespace MediaStudio.Neural.Caching;

/// <summary>A preallocated key/value cache with a write index per layer: appending costs O(new tokens), not a re-concatenation.</summary>
/// <remarks>Keys and values are (B, G, capacity, d); <see cref="Update"/> returns views of the filled prefix.</remarks>
public sealed class FullKvCache : IKvCache
{
    private readonly AppendBuffer _buffer;
    private readonly long _batch;

    /// <summary>Allocates the cache.</summary>
    public FullKvCache(int layers, long batch, int kvHeads, int headDim, long capacity, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (layers <= 0 || batch <= 0 || kvHeads <= 0 || headDim <= 0 || capacity <= 0)
        {
            throw new ArgumentException($"layers, batch, kvHeads, headDim and capacity must be positive, got {layers}, {batch}, {kvHeads}, {headDim}, {capacity}");
        }

        _batch = batch;
        long[] shape = [batch, kvHeads, capacity, headDim];
        _buffer = new AppendBuffer(layers, shape, shape, timeAxis: 2, dtype, device);
        BytesPerToken = (long)layers * 2 * kvHeads * headDim * CacheStorage.ElementSize(dtype);
    }

    public long Length => _buffer.Length;

    public long BytesPerToken { get; }

    public long AllocatedBytes => _batch * _buffer.Capacity * BytesPerToken;

    public long BytesAt(long length) => length * BytesPerToken;

    /// <summary>Appends one layer's new keys and values, (B, G, T, d) each.</summary>
    /// <returns>Views (B, G, S, d) of everything this layer holds, new tokens last.</returns>
    public (Tensor Keys, Tensor Values) Update(int layer, Tensor keys, Tensor values) => _buffer.Append(layer, keys, values);

    public void Truncate(long length) => _buffer.Truncate(length);

    public void Dispose() => _buffer.Dispose();
}
