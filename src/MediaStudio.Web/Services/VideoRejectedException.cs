namespace MediaStudio.Web.Services;

/// <summary>An uploaded video was refused; the message says why in words a person can act on.</summary>
public sealed class VideoRejectedException : Exception
{
    public VideoRejectedException()
    {
    }

    public VideoRejectedException(string message)
        : base(message)
    {
    }

    public VideoRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
