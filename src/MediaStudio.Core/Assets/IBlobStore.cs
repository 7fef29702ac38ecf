namespace MediaStudio.Core.Assets;

/// <summary>Immutable, content-addressed bytes: the local data folder by default, an S3-compatible store later.</summary>
public interface IBlobStore
{
    /// <summary>Stores the stream's bytes and returns their SHA-256 key and size.</summary>
    /// <remarks>The bytes become visible only once complete: a reader never sees a half-written blob.</remarks>
    /// <param name="content">The bytes to store.</param>
    /// <param name="maxBytes">The most bytes accepted; more is an <see cref="InvalidDataException"/> and nothing is kept.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is kept.</param>
    Task<BlobInfo> PutAsync(Stream content, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Opens a stored blob for reading.</summary>
    /// <exception cref="FileNotFoundException">No blob has that key.</exception>
    Stream OpenRead(string sha256);

    /// <summary>Returns whether a blob with that key exists.</summary>
    bool Exists(string sha256);
}

/// <summary>A stored blob's key and size.</summary>
public sealed record BlobInfo(string Sha256, long SizeBytes);
