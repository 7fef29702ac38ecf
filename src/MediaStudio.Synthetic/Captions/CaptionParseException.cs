namespace MediaStudio.Synthetic.Captions;

/// <summary>Thrown when a caption cannot be read back into a scene label; the message names the unreadable part.</summary>
public sealed class CaptionParseException : FormatException
{
    public CaptionParseException()
    {
    }

    public CaptionParseException(string message)
        : base(message)
    {
    }

    public CaptionParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
