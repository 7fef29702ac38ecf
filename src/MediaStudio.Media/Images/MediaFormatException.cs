namespace MediaStudio.Media.Images;

/// <summary>Thrown when image or video bytes are not acceptable: unsupported, crafted, truncated or too large.</summary>
public sealed class MediaFormatException : Exception
{
    public MediaFormatException()
    {
    }

    public MediaFormatException(string message)
        : base(message)
    {
    }

    public MediaFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
