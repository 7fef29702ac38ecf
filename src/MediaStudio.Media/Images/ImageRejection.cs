namespace MediaStudio.Media.Images;

/// <summary>Why an untrusted image was refused.</summary>
public enum ImageRejection
{
    /// <summary>Not PNG, JPEG, WebP or GIF (BMP, TIFF, text, anything else).</summary>
    Unsupported,

    /// <summary>Over the byte or pixel limit.</summary>
    TooLarge,

    /// <summary>A supported format whose bytes are truncated, damaged or crafted.</summary>
    Damaged,
}
