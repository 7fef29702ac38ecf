namespace MediaStudio.Media.Images;

/// <summary>An 8-bit RGB image stored row-major as interleaved R, G, B bytes.</summary>
/// <remarks>The pixel buffer is owned by the image; callers that mutate <see cref="Pixels"/> mutate the image.</remarks>
public sealed class RgbImage
{
    /// <summary>Creates a black image of the given size.</summary>
    public RgbImage(int width, int height)
        : this(width, height, new byte[checked(width * height * 3)])
    {
    }

    /// <summary>Wraps an existing interleaved RGB buffer of exactly <c>width * height * 3</c> bytes.</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (pixels.Length != checked(width * height * 3))
        {
            throw new ArgumentException($"pixel buffer has {pixels.Length} bytes; a {width}x{height} RGB image needs {width * height * 3}", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Gets the interleaved R, G, B bytes, row by row.</summary>
#pragma warning disable CA1819 // The raw buffer is the point of this type: renderers and encoders write it in place.
    public byte[] Pixels { get; }
#pragma warning restore CA1819

    /// <summary>Returns the byte offset of pixel (x, y).</summary>
    public int Offset(int x, int y) => ((y * Width) + x) * 3;

    /// <summary>Returns a deep copy.</summary>
    public RgbImage Clone() => new(Width, Height, (byte[])Pixels.Clone());
}
