using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;

namespace MediaStudio.Media.Images;

/// <summary>Decodes untrusted images and encodes PNGs with a hardened ImageSharp 2.1 configuration.</summary>
/// <remarks>
/// Only PNG, JPEG, WebP and GIF (first frame) decoders are registered, so the BMP, TIFF and TGA paths with
/// known 2.1.13 advisories are unreachable. Every decode sniffs the magic bytes, checks the byte size, reads the
/// header with Identify and rejects pixel floods before any pixel buffer is allocated; every failure surfaces as a
/// <see cref="MediaFormatException"/> with a reason a user can act on.
/// </remarks>
public sealed class SafeImageCodec
{
    private readonly ImageDecodeOptions _options;
    private readonly Configuration _configuration;

    /// <summary>Creates a codec with the given limits.</summary>
    public SafeImageCodec(ImageDecodeOptions? options = null)
    {
        _options = options ?? new ImageDecodeOptions();
        _options.Validate();
        _configuration = CreateConfiguration(_options);
    }

    /// <summary>Builds the only ImageSharp configuration MediaStudio uses: four formats, no metadata, bounded allocations.</summary>
    public static Configuration CreateConfiguration(ImageDecodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configuration = new Configuration(
            new PngConfigurationModule(),
            new JpegConfigurationModule(),
            new WebpConfigurationModule(),
            new GifConfigurationModule())
        {
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
            {
                AllocationLimitMegabytes = options.AllocationLimitMegabytes,
                MaximumPoolSizeMegabytes = 64,
            }),
        };
        var formats = configuration.ImageFormatsManager;
        formats.SetDecoder(PngFormat.Instance, new PngDecoder { IgnoreMetadata = true });
        formats.SetDecoder(JpegFormat.Instance, new JpegDecoder { IgnoreMetadata = true });
        formats.SetDecoder(WebpFormat.Instance, new WebpDecoder { IgnoreMetadata = true });
        formats.SetDecoder(GifFormat.Instance, new GifDecoder { IgnoreMetadata = true, DecodingMode = FrameDecodingMode.First });
        return configuration;
    }

    /// <summary>Reads the whole stream (up to the byte limit) and decodes it.</summary>
    /// <exception cref="MediaFormatException">The bytes are too large, not a supported format, crafted or truncated.</exception>
    public RgbImage Decode(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > _options.MaxBytes)
            {
                throw new MediaFormatException($"image is larger than the {_options.MaxBytes}-byte limit");
            }

            buffer.Write(chunk, 0, read);
        }

        return Decode(buffer.ToArray());
    }

    /// <summary>Decodes a file from disk.</summary>
    /// <exception cref="MediaFormatException">The file is too large, not a supported format, crafted or truncated.</exception>
    public RgbImage DecodeFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Decode(stream);
    }

    /// <summary>Decodes image bytes to RGB after the format, size and pixel-count checks.</summary>
    /// <exception cref="MediaFormatException">The bytes are too large, not a supported format, crafted or truncated.</exception>
    public RgbImage Decode(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0)
        {
            throw new MediaFormatException("image is empty (0 bytes)");
        }

        if (bytes.Length > _options.MaxBytes)
        {
            throw new MediaFormatException($"image is {bytes.Length} bytes, over the {_options.MaxBytes}-byte limit");
        }

        var format = Sniff(bytes) ?? throw new MediaFormatException("unsupported image format: only PNG, JPEG, WebP and GIF are accepted");
        try
        {
            // 1. header only: reject pixel floods before any pixel buffer exists
            using var header = new MemoryStream(bytes, writable: false);
            var info = Image.Identify(_configuration, header)
                ?? throw new MediaFormatException($"the {format} header could not be read");
            var pixels = (long)info.Width * info.Height;
            if (info.Width < 1 || info.Height < 1)
            {
                throw new MediaFormatException($"the {format} header declares an empty image ({info.Width}x{info.Height})");
            }

            if (pixels > _options.MaxPixels)
            {
                throw new MediaFormatException(
                    $"the {format} image declares {info.Width}x{info.Height} = {pixels} pixels, over the {_options.MaxPixels}-pixel limit");
            }

            // 2. pixels, first frame only
            using var body = new MemoryStream(bytes, writable: false);
            using var image = Image.Load<Rgb24>(_configuration, body);
            var result = new RgbImage(image.Width, image.Height);
            image.CopyPixelDataTo(MemoryMarshal.Cast<byte, Rgb24>(result.Pixels.AsSpan()));
            return result;
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw new MediaFormatException($"the {format} image is damaged or crafted and was rejected: {e.Message}", e);
        }
    }

    /// <summary>Writes an RGB image as PNG (no metadata).</summary>
    public void EncodePng(RgbImage image, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var encoded = Image.LoadPixelData<Rgb24>(_configuration, image.Pixels, image.Width, image.Height);
        encoded.Save(destination, new PngEncoder { CompressionLevel = PngCompressionLevel.BestSpeed });
    }

    /// <summary>Writes an RGB image as a PNG file, replacing any file there.</summary>
    public void SavePng(RgbImage image, string path)
    {
        using var stream = File.Create(path);
        EncodePng(image, stream);
    }

    /// <summary>Writes an RGB image as JPEG with the given quality (1-100).</summary>
    public void EncodeJpeg(RgbImage image, Stream destination, int quality = 90)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var encoded = Image.LoadPixelData<Rgb24>(_configuration, image.Pixels, image.Width, image.Height);
        encoded.Save(destination, new JpegEncoder { Quality = quality });
    }

    /// <summary>Names the format from its magic bytes, or null when it is none of the four accepted ones.</summary>
    public static string? Sniff(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "PNG";
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "JPEG";
        }

        if (bytes.StartsWith("GIF87a"u8) || bytes.StartsWith("GIF89a"u8))
        {
            return "GIF";
        }

        return bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes.Slice(8, 4).SequenceEqual("WEBP"u8) ? "WebP" : null;
    }

    // ImageSharp 2.x throws its own types, but crafted files also surface as runtime exceptions (reliability.md 1.2.6).
    private static bool IsDecodeFailure(Exception e) =>
        e is ImageFormatException or InvalidMemoryOperationException or NotSupportedException
            or InvalidOperationException or IndexOutOfRangeException or ArgumentException or EndOfStreamException
            or OverflowException;
}
