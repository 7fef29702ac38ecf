namespace MediaStudio.Media.Images;

/// <summary>Thrown when an uploaded image is refused; the message says why in words a person can act on.</summary>
public sealed class ImageRejectedException : Exception
{
    public ImageRejectedException()
    {
    }

    public ImageRejectedException(string message)
        : base(message)
    {
    }

    public ImageRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates a rejection of the given kind.</summary>
    public ImageRejectedException(ImageRejection rejection, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Rejection = rejection;
    }

    /// <summary>Gets why the image was refused.</summary>
    public ImageRejection Rejection { get; }
}
