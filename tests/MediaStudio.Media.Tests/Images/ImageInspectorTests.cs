using System.Buffers.Binary;
using MediaStudio.Media.Images;

namespace MediaStudio.Media.Tests.Images;

public sealed class ImageInspectorTests
{
    private readonly ImageInspector _inspector = new();

    [Fact]
    public void Inspect_Png_GivesFormatMediaTypeAndSize()
    {
        using var png = new MemoryStream();
        new SafeImageCodec().EncodePng(TestFrames.Gradient(40, 30, 1), png);
        png.Position = 0;

        Assert.Equal(new ImageFacts("PNG", "image/png", 40, 30), _inspector.Inspect(png));
    }

    [Fact]
    public void Inspect_Jpeg_GivesJpegMediaType()
    {
        using var jpeg = new MemoryStream();
        new SafeImageCodec().EncodeJpeg(TestFrames.Gradient(16, 8, 1), jpeg);
        jpeg.Position = 0;

        Assert.Equal("image/jpeg", _inspector.Inspect(jpeg).MediaType);
    }

    [Theory]
    [InlineData(new byte[] { 0x42, 0x4D, 0x23, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F })] // BMP (ImageSharp #3074)
    [InlineData(new byte[] { 0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00 })]               // TIFF
    [InlineData(new byte[] { 0x25, 0x50, 0x44, 0x46, 0x2D, 0x31, 0x2E, 0x34 })]               // "%PDF-1.4"
    public void Inspect_UnregisteredFormat_IsUnsupported(byte[] bytes)
    {
        var e = Assert.Throws<ImageRejectedException>(() => _inspector.Inspect(new MemoryStream(bytes)));

        Assert.Equal(ImageRejection.Unsupported, e.Rejection);
        Assert.StartsWith("not a supported image", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_HugeDimensionsInHeader_IsTooLargeNamingTheSizeAndLimit()
    {
        var e = Assert.Throws<ImageRejectedException>(() => _inspector.Inspect(new MemoryStream(PngWithHeader(12000, 9000))));

        Assert.Equal(ImageRejection.TooLarge, e.Rejection);
        Assert.Equal("too large: 12000×9000, limit 16 MP", e.Message);
    }

    [Fact]
    public void Inspect_TruncatedPng_IsDamaged()
    {
        using var png = new MemoryStream();
        new SafeImageCodec().EncodePng(TestFrames.Gradient(64, 64, 5), png);

        var e = Assert.Throws<ImageRejectedException>(() => _inspector.Inspect(new MemoryStream(png.ToArray()[..(int)(png.Length / 2)])));

        Assert.Equal(ImageRejection.Damaged, e.Rejection);
        Assert.Contains("PNG", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_PngSignatureThenGarbage_IsRejected()
    {
        byte[] bytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Enumerable.Range(0, 200).Select(i => (byte)(i * 31))];

        Assert.NotEqual(ImageRejection.Unsupported, Assert.Throws<ImageRejectedException>(() => _inspector.Inspect(new MemoryStream(bytes))).Rejection);
    }

    [Fact]
    public void Inspect_OverByteLimit_IsTooLarge()
    {
        var small = new ImageInspector(new ImageDecodeOptions { MaxBytes = 100 });
        using var png = new MemoryStream();
        new SafeImageCodec().EncodePng(TestFrames.Gradient(64, 64, 5), png);
        png.Position = 0;

        var e = Assert.Throws<ImageRejectedException>(() => small.Inspect(png));

        Assert.Equal(ImageRejection.TooLarge, e.Rejection);
        Assert.EndsWith("limit 100 bytes", e.Message, StringComparison.Ordinal);
    }

    // A PNG signature, an IHDR declaring width x height, a tiny IDAT and IEND.
    private static byte[] PngWithHeader(int width, int height)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2;
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
        var crc = 0xFFFFFFFFu;
        foreach (var b in typeBytes.Concat(data))
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, ~crc);
        stream.Write(crcBytes);
    }
}
