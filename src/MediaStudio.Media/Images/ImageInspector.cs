using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;

namespace MediaStudio.Media.Images;

/// <summary>Checks an untrusted image file before the studio keeps it: format by magic bytes, then the header with
/// <c>Identify</c> against the pixel limit, then a full decode under the allocator limit, all with the hardened
/// four-format configuration of <see cref="SafeImageCodec"/>.</summary>
/// <remarks>The image is read from a seekable stream (a temporary file), so an upload is never held whole in memory;
/// only the decoded pixels are, and the pixel limit bounds them.</remarks>
public sealed class ImageInspector
{
    private readonly ImageDecodeOptions _options;
    private readonly Configuration _configuration;

    /// <summary>Creates an inspector with the given limits.</summary>
    public ImageInspector(ImageDecodeOptions? options = null)
    {
        _options = options ?? new ImageDecodeOptions();
        _options.Validate();
        _configuration = SafeImageCodec.CreateConfiguration(_options);
    }

    /// <summary>Gets the limits in force.</summary>
    public ImageDecodeOptions Options => _options;

    /// <summary>Describes the byte limit, e.g. "32 MB".</summary>
    public string ByteLimitText => FormatBytes(_options.MaxBytes);

    /// <summary>Describes the pixel limit, e.g. "16 MP".</summary>
    public string PixelLimitText => FormatPixels(_options.MaxPixels);

    /// <summary>Checks the image in <paramref name="content"/>, which must be seekable and positioned at its start.</summary>
    /// <exception cref="ImageRejectedException">The image is unsupported, too large or damaged; nothing was kept.</exception>
    public ImageFacts Inspect(Stream content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanSeek)
        {
            throw new ArgumentException("the stream must be seekable", nameof(content));
        }

        if (content.Length > _options.MaxBytes)
        {
            throw new ImageRejectedException(ImageRejection.TooLarge, $"too large: {FormatBytes(content.Length)}, limit {ByteLimitText}");
        }

        Span<byte> head = stackalloc byte[12];
        var got = content.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var format = SafeImageCodec.Sniff(head[..got])
            ?? throw new ImageRejectedException(ImageRejection.Unsupported, "not a supported image: only PNG, JPEG, WebP and GIF are accepted");
        try
        {
            // 1. header only: reject pixel floods before any pixel buffer exists
            content.Position = 0;
            var info = Image.Identify(_configuration, content)
                ?? throw new ImageRejectedException(ImageRejection.Damaged, $"not a supported image: the {format} header could not be read");
            if (info.Width < 1 || info.Height < 1)
            {
                throw new ImageRejectedException(ImageRejection.Damaged, $"damaged image: the {format} header declares {info.Width}×{info.Height}");
            }

            if ((long)info.Width * info.Height > _options.MaxPixels)
            {
                throw new ImageRejectedException(
                    ImageRejection.TooLarge,
                    string.Create(CultureInfo.InvariantCulture, $"too large: {info.Width}×{info.Height}, limit {PixelLimitText}"));
            }

            // 2. every pixel of the first frame, so truncated and crafted files are refused now, not when used
            content.Position = 0;
            using var image = Image.Load<Rgba32>(_configuration, content);
            return new ImageFacts(format, MediaTypeOf(format), image.Width, image.Height);
        }
        catch (Exception e) when (e is not ImageRejectedException && IsDecodeFailure(e))
        {
            throw new ImageRejectedException(ImageRejection.Damaged, $"damaged image: the {format} file could not be decoded ({e.Message})", e);
        }
    }

    private static string MediaTypeOf(string format) => format switch
    {
        "PNG" => "image/png",
        "JPEG" => "image/jpeg",
        "WebP" => "image/webp",
        _ => "image/gif",
    };

    private static string FormatBytes(long bytes) =>
        bytes >= 1 << 20
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 20):0.#} MB")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes");

    private static string FormatPixels(long pixels) =>
        string.Create(CultureInfo.InvariantCulture, $"{pixels / (double)(1 << 20):0.#} MP");

    // ImageSharp 2.x throws its own types, but crafted files also surface as runtime exceptions (reliability.md 1.2.6)
    private static bool IsDecodeFailure(Exception e) =>
        e is ImageFormatException or InvalidMemoryOperationException or NotSupportedException
            or InvalidOperationException or IndexOutOfRangeException or ArgumentException or EndOfStreamException
            or OverflowException or OutOfMemoryException;
}
