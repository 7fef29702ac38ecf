using static TorchSharp.torch;

namespace MediaStudio.Neural.Caching;

/// <summary>Allocation and bookkeeping shared by the caches.</summary>
internal static class CacheStorage
{
    public static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new ArgumentException($"no element size known for {dtype}", nameof(dtype)),
    };

    /// <summary>A zero buffer that belongs to the cache, not to whatever dispose scope is current.</summary>
    public static Tensor Allocate(long[] shape, ScalarType dtype, Device? device) =>
        zeros(shape, dtype: dtype, device: device).DetachFromDisposeScope();

    public static void CheckLayer(int layer, int layers)
    {
        if (layer < 0 || layer >= layers)
        {
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"the cache holds {layers} layers");
        }
    }

    public static void CheckTruncate(long length, long current)
    {
        if (length < 0 || length > current)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"can truncate to 0..{current} tokens");
        }
    }
}
