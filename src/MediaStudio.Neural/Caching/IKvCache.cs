namespace MediaStudio.Neural.Caching;

/// <summary>A per-layer key/value store for incremental decoding.</summary>
/// <remarks>
/// Each implementation adds an <c>Update(layer, …)</c> that appends the new tokens of one layer and returns what
/// that layer attends to. Byte counts are per sequence (one batch row) and cover every layer. A cache owns its
/// tensors: they live outside any dispose scope and are freed by <see cref="IDisposable.Dispose"/>.
/// </remarks>
public interface IKvCache : IDisposable
{
    /// <summary>Tokens every layer holds; the position of the next token. Layers updated in the current step do not advance it until all are.</summary>
    long Length { get; }

    /// <summary>Bytes one cached token position costs in every layer and head that keeps it.</summary>
    long BytesPerToken { get; }

    /// <summary>Allocated bytes of the cache's buffers for the whole batch.</summary>
    long AllocatedBytes { get; }

    /// <summary>Exact bytes held for one sequence after <paramref name="length"/> tokens.</summary>
    long BytesAt(long length);

    /// <summary>Rolls back to <paramref name="length"/> tokens, e.g. after rejected draft tokens.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative or beyond <see cref="Length"/>.</exception>
    void Truncate(long length);
}
