namespace MediaStudio.Neural.Checkpoints;

/// <summary>A checkpoint, weights file or manifest that cannot be loaded; the message names the key or byte offset.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException()
    {
    }

    public CheckpointException(string message) : base(message)
    {
    }

    public CheckpointException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one tensor key or file offset.</summary>
    /// <param name="message">What is wrong, naming the key or offset.</param>
    /// <param name="key">The offending tensor key, when there is one.</param>
    /// <param name="byteOffset">The offending byte offset in the file, when there is one.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public CheckpointException(string message, string? key, long? byteOffset, Exception? innerException = null)
        : base(message, innerException)
    {
        Key = key;
        ByteOffset = byteOffset;
    }

    /// <summary>Gets the tensor key the error is about, or null.</summary>
    public string? Key { get; }

    /// <summary>Gets the byte offset in the file the error is about, or null.</summary>
    public long? ByteOffset { get; }
}
