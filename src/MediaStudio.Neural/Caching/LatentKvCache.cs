using static TorchSharp.torch;

namespace MediaStudio.Neural.Caching;

/// <summary>The MLA cache: per token only the joint KV latent c (r_kv) and the shared, already rotated RoPE key (d_r).</summary>
/// <remarks>X-EcoMLA's accounting (papers-llm.md §1): r_kv + d_r numbers per token per layer, against 2·G·d for GQA.</remarks>
public sealed class LatentKvCache : IKvCache
{
    private readonly AppendBuffer _buffer;
    private readonly long _batch;

    /// <summary>Allocates the cache.</summary>
    public LatentKvCache(int layers, long batch, int kvRank, int ropeDim, long capacity, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (layers <= 0 || batch <= 0 || kvRank <= 0 || ropeDim < 0 || capacity <= 0)
        {
            throw new ArgumentException($"layers, batch, kvRank and capacity must be positive and ropeDim not negative, got {layers}, {batch}, {kvRank}, {ropeDim}, {capacity}");
        }

        _batch = batch;
        _buffer = new AppendBuffer(layers, [batch, capacity, kvRank], [batch, capacity, ropeDim], timeAxis: 1, dtype, device);
        BytesPerToken = (long)layers * (kvRank + ropeDim) * CacheStorage.ElementSize(dtype);
    }

    public long Length => _buffer.Length;

    public long BytesPerToken { get; }

    public long AllocatedBytes => _batch * _buffer.Capacity * BytesPerToken;

    public long BytesAt(long length) => length * BytesPerToken;

    /// <summary>Appends one layer's latents (B, T, r_kv) and rotated RoPE keys (B, T, d_r).</summary>
    /// <returns>Views (B, S, r_kv) and (B, S, d_r), new tokens last.</returns>
    public (Tensor Latents, Tensor RopeKeys) Update(int layer, Tensor latents, Tensor ropeKeys) => _buffer.Append(layer, latents, ropeKeys);

    public void Truncate(long length) => _buffer.Truncate(length);

    public void Dispose() => _buffer.Dispose();
}
