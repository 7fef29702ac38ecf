using static TorchSharp.torch;

namespace MediaStudio.Neural.Caching;

/// <summary>The MLA cache: per token only the joint KV latent c (r_kv) and the shared, already rotated RoPE key (d_r).</summary>
/// <remarks>X-EcoMLA's accounting (papers-llm.md §1): r_kv + d_r numbers per token per layer, against 2·G·d for GQA.</remarks>
public sealed class LatentKvCache : IKvCache
{
    private readonly Tensor[] _latents;
    private readonly Tensor[] _ropeKeys;
    private readonly long[] _lengths;
    private readonly long _capacity;
    private readonly long _batch;
    private bool _disposed;

    /// <summary>Allocates the cache.</summary>
    public LatentKvCache(int layers, long batch, int kvRank, int ropeDim, long capacity, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (layers <= 0 || batch <= 0 || kvRank <= 0 || ropeDim < 0 || capacity <= 0)
        {
            throw new ArgumentException($"layers, batch, kvRank and capacity must be positive and ropeDim not negative, got {layers}, {batch}, {kvRank}, {ropeDim}, {capacity}");
        }

        _capacity = capacity;
        _batch = batch;
        _lengths = new long[layers];
        _latents = new Tensor[layers];
        _ropeKeys = new Tensor[layers];
        for (var layer = 0; layer < layers; layer++)
        {
            _latents[layer] = CacheStorage.Allocate([batch, capacity, kvRank], dtype, device);
            _ropeKeys[layer] = CacheStorage.Allocate([batch, capacity, ropeDim], dtype, device);
        }

        BytesPerToken = (long)layers * (kvRank + ropeDim) * CacheStorage.ElementSize(dtype);
    }

    public long Length => _lengths.Min();

    public long BytesPerToken { get; }

    public long AllocatedBytes => _batch * _capacity * BytesPerToken;

    public long BytesAt(long length) => length * BytesPerToken;

    /// <summary>Appends one layer's latents (B, T, r_kv) and rotated RoPE keys (B, T, d_r).</summary>
    /// <returns>Views (B, S, r_kv) and (B, S, d_r), new tokens last.</returns>
    public (Tensor Latents, Tensor RopeKeys) Update(int layer, Tensor latents, Tensor ropeKeys)
    {
        CacheStorage.CheckLayer(layer, _latents.Length);
        var (start, count) = (_lengths[layer], latents.shape[1]);
        if (start + count > _capacity)
        {
            throw new InvalidOperationException($"layer {layer} holds {start} tokens; {count} more exceed the capacity of {_capacity}");
        }

        using (no_grad())
        {
            using var latentSlot = _latents[layer].narrow(1, start, count);
            using var ropeSlot = _ropeKeys[layer].narrow(1, start, count);
            latentSlot.copy_(latents);
            ropeSlot.copy_(ropeKeys);
        }

        _lengths[layer] = start + count;
        return (_latents[layer].narrow(1, 0, start + count), _ropeKeys[layer].narrow(1, 0, start + count));
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
        foreach (var tensor in _latents.Concat(_ropeKeys))
        {
            tensor.Dispose();
        }
    }
}
