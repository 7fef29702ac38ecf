using static TorchSharp.torch;

namespace MediaStudio.Neural.Caching;

/// <summary>Per-layer pairs of preallocated tensors filled along one time axis with a write index: the storage behind
/// <see cref="FullKvCache"/> (keys and values) and <see cref="LatentKvCache"/> (latents and RoPE keys).</summary>
internal sealed class AppendBuffer : IDisposable
{
    private readonly Tensor[] _first;
    private readonly Tensor[] _second;
    private readonly long[] _lengths;
    private readonly int _timeAxis;
    private bool _disposed;

    /// <param name="layers">Layers, each with its own pair.</param>
    /// <param name="firstShape">Shape of the first tensor of a pair, with the capacity on <paramref name="timeAxis"/>.</param>
    /// <param name="secondShape">Shape of the second tensor of a pair, with the same capacity on <paramref name="timeAxis"/>.</param>
    /// <param name="timeAxis">The axis new tokens are appended along.</param>
    /// <param name="dtype">Element type.</param>
    /// <param name="device">Where the buffers live.</param>
    public AppendBuffer(int layers, long[] firstShape, long[] secondShape, int timeAxis, ScalarType dtype, Device? device)
    {
        _timeAxis = timeAxis;
        Capacity = firstShape[timeAxis];
        _lengths = new long[layers];
        _first = new Tensor[layers];
        _second = new Tensor[layers];
        for (var layer = 0; layer < layers; layer++)
        {
            _first[layer] = CacheStorage.Allocate(firstShape, dtype, device);
            _second[layer] = CacheStorage.Allocate(secondShape, dtype, device);
        }
    }

    public long Capacity { get; }

    /// <summary>Gets the tokens every layer holds.</summary>
    public long Length => _lengths.Min();

    /// <summary>Copies one layer's new tokens in place and returns views of everything the layer holds, new tokens last.</summary>
    public (Tensor First, Tensor Second) Append(int layer, Tensor first, Tensor second)
    {
        CacheStorage.CheckLayer(layer, _first.Length);
        var (start, count) = (_lengths[layer], first.shape[_timeAxis]);
        if (start + count > Capacity)
        {
            throw new InvalidOperationException($"layer {layer} holds {start} tokens; {count} more exceed the capacity of {Capacity}");
        }

        using (no_grad())
        {
            using var firstSlot = _first[layer].narrow(_timeAxis, start, count);
            using var secondSlot = _second[layer].narrow(_timeAxis, start, count);
            firstSlot.copy_(first);
            secondSlot.copy_(second);
        }

        _lengths[layer] = start + count;
        return (_first[layer].narrow(_timeAxis, 0, start + count), _second[layer].narrow(_timeAxis, 0, start + count));
    }

    /// <summary>Forgets every token from <paramref name="length"/> on, in every layer.</summary>
    public void Truncate(long length)
    {
        CacheStorage.CheckTruncate(length, Length);
        Array.Fill(_lengths, length);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var tensor in _first.Concat(_second))
        {
            tensor.Dispose();
        }
    }
}
