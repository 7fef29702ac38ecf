using System.Buffers.Binary;
using MediaStudio.Media.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace MediaStudio.Media.Tests.Images;

public sealed class SafeImageCodecTests
{
    private readonly SafeImageCodec _codec = new();

    [Fact]
    public void Decode_PngWrittenByEncodePng_GivesIdenticalPixels()
    {
        var image = TestFrames.Gradient(40, 30, 3);
        using var png = new MemoryStream();
        _codec.EncodePng(image, png);

        var decoded = _codec.Decode(png.ToArray());

        Assert.Equal((40, 30), (decoded.Width, decoded.Height));
        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [Fact]
    public void Decode_Jpeg_GivesCloseImage()
    {
        var image = TestFrames.Gradient(48, 48, 0);
        using var jpeg = new MemoryStream();
        _codec.EncodeJpeg(image, jpeg, 95);

        var decoded = _codec.Decode(jpeg.ToArray());

        Assert.True(TestFrames.Psnr(image, decoded) > 30);
    }

    [Fact]
    public void Decode_LosslessWebpAndGif_AreAccepted()
    {
        using var source = Image.LoadPixelData<Rgb24>(TestFrames.Gradient(32, 32, 1).Pixels, 32, 32);
        using var webp = new MemoryStream();
        source.Save(webp, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless });
        using var gif = new MemoryStream();
        source.Save(gif, new GifEncoder());

        Assert.Equal(32, _codec.Decode(webp.ToArray()).Width);
        Assert.Equal(32, _codec.Decode(gif.ToArray()).Height);
    }

    [Fact]
    public void Decode_TruncatedPng_ThrowsClearError()
    {
        using var png = new MemoryStream();
        _codec.EncodePng(TestFrames.Gradient(64, 64, 5), png);
        var truncated = png.ToArray()[..(int)(png.Length / 2)];

        var e = Assert.Throws<MediaFormatException>(() => _codec.Decode(truncated));

        Assert.Contains("PNG", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_TruncatedJpeg_ThrowsClearError()
    {
        using var jpeg = new MemoryStream();
        _codec.EncodeJpeg(TestFrames.Gradient(64, 64, 5), jpeg);
        var truncated = jpeg.ToArray()[..200];

        var e = Assert.Throws<MediaFormatException>(() => _codec.Decode(truncated));

        Assert.Contains("JPEG", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_PngDeclaringAPixelFlood_IsRejectedAtTheHeader()
    {
        var flood = PngWithHeader(65_000, 65_000);

        var e = Assert.Throws<MediaFormatException>(() => _codec.Decode(flood));

        Assert.Contains("pixel limit", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x42, 0x4D, 0x23, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F })] // BMP with a huge pixel offset (ImageSharp #3074)
    [InlineData(new byte[] { 0x49, 0x49, 0x2B, 0x00, 0x08, 0x00, 0x00, 0x00 })]               // BigTIFF header
    [InlineData(new byte[] { 0x3C, 0x68, 0x74, 0x6D, 0x6C, 0x3E })]                           // "<html>"
    public void Decode_UnregisteredFormat_IsRejectedBeforeDecoding(byte[] bytes)
    {
        var e = Assert.Throws<MediaFormatException>(() => _codec.Decode(bytes));

        Assert.Contains("only PNG, JPEG, WebP and GIF", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_PngSignatureFollowedByGarbage_ThrowsClearError()
    {
        byte[] bytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Enumerable.Range(0, 100).Select(i => (byte)(i * 37))];

        Assert.Throws<MediaFormatException>(() => _codec.Decode(bytes));
    }

    [Fact]
    public void Decode_EmptyOrOversized_ThrowsClearError()
    {
        var small = new SafeImageCodec(new ImageDecodeOptions { MaxBytes = 100 });
        using var png = new MemoryStream();
        _codec.EncodePng(TestFrames.Gradient(64, 64, 5), png);

        Assert.Contains("empty", Assert.Throws<MediaFormatException>(() => _codec.Decode([])).Message, StringComparison.Ordinal);
        Assert.Contains("limit", Assert.Throws<MediaFormatException>(() => small.Decode(png.ToArray())).Message, StringComparison.Ordinal);
        Assert.Contains("limit", Assert.Throws<MediaFormatException>(() => small.Decode(new MemoryStream(png.ToArray()))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheValue()
    {
        var e = Assert.Throws<ArgumentException>(() => new SafeImageCodec(new ImageDecodeOptions { MaxPixels = 0 }));

        Assert.Contains("MaxPixels", e.Message, StringComparison.Ordinal);
    }

    // A PNG signature, a valid IHDR chunk declaring width x height, an IDAT with a few bytes and IEND.
    private static byte[] PngWithHeader(int width, int height)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        WriteChunk(stream, "IHDR", ihdr);
        WriteChunk(stream, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        WriteChunk(stream, "IEND", []);
        return stream.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, Crc32([.. typeBytes, .. data]));
        stream.Write(crcBytes);
    }

    // PNG's CRC-32 (ISO 3309, reflected polynomial 0xEDB88320).
    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
