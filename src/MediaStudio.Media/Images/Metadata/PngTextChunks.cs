using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace MediaStudio.Media.Images.Metadata;

/// <summary>Reads, writes and strips the text chunks of PNG files (tEXt, zTXt, iTXt) without decoding pixels.</summary>
/// <remarks>
/// Writing goes through ImageSharp 2.1 with <c>TextCompressionThreshold = int.MaxValue</c>: its default (1024 characters)
/// would store a long prompt or a spec as zTXt, which ComfyUI's reader and A1111-style readers skip (ecosystem.md §5).
/// Latin-1 text is written as tEXt; text with other characters as uncompressed UTF-8 iTXt. Reading walks the chunk list
/// itself with bounds on every length, so it never touches the image decoders and accepts files written by any tool.
/// </remarks>
public static class PngTextChunks
{
    /// <summary>The most characters of text read from one chunk; a longer (or zip-bomb) chunk is refused.</summary>
    public const int MaxTextBytes = 1 << 20;

    /// <summary>The largest chunk accepted; a header declaring more is refused before anything is allocated.</summary>
    public const int MaxChunkBytes = 64 << 20;

    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly Encoding Latin1 = Encoding.Latin1;
    private static readonly Lazy<uint[]> CrcTable = new(() =>
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    });

    private static readonly Lazy<Configuration> EncodeConfiguration = new(() => SafeImageCodec.CreateConfiguration(new ImageDecodeOptions()));

    /// <summary>Encodes an RGB image as PNG carrying the given text chunks, uncompressed so every tool can read them.</summary>
    /// <param name="image">The pixels.</param>
    /// <param name="destination">Where the PNG goes.</param>
    /// <param name="texts">Keyword and text pairs, written in order; keywords are 1 to 79 Latin-1 characters.</param>
    public static void EncodePng(RgbImage image, Stream destination, IEnumerable<KeyValuePair<string, string>> texts)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(texts);
        using var encoded = Image.LoadPixelData<Rgb24>(EncodeConfiguration.Value, image.Pixels, image.Width, image.Height);
        var png = encoded.Metadata.GetPngMetadata();
        foreach (var (keyword, text) in texts)
        {
            if (keyword.Length is < 1 or > 79 || keyword.Any(c => c > 255))
            {
                throw new ArgumentException($"PNG text keyword '{keyword}' must be 1 to 79 Latin-1 characters", nameof(texts));
            }

            png.TextData.Add(new PngTextData(keyword, text, string.Empty, string.Empty));
        }

        encoded.Save(destination, new PngEncoder
        {
            CompressionLevel = PngCompressionLevel.BestSpeed,
            TextCompressionThreshold = int.MaxValue,
        });
    }

    /// <summary>Reads every text chunk of a PNG stream, reading (not decoding) up to the end of the file.</summary>
    /// <exception cref="MediaFormatException">The bytes are not a PNG, or a chunk is malformed.</exception>
    public static IReadOnlyList<PngTextChunk> Read(Stream png)
    {
        ArgumentNullException.ThrowIfNull(png);
        var texts = new List<PngTextChunk>();
        Walk(png, (type, data) =>
        {
            if (type is "tEXt" or "zTXt" or "iTXt")
            {
                texts.Add(Decode(type, data));
            }
        });
        return texts;
    }

    /// <summary>Reads every text chunk of PNG bytes.</summary>
    /// <exception cref="MediaFormatException">The bytes are not a PNG, or a chunk is malformed.</exception>
    public static IReadOnlyList<PngTextChunk> Read(byte[] png)
    {
        using var stream = new MemoryStream(png, writable: false);
        return Read(stream);
    }

    /// <summary>Copies a PNG without its text, EXIF and time chunks; pixel chunks are copied byte for byte.</summary>
    /// <exception cref="MediaFormatException">The bytes are not a PNG, or a chunk is malformed.</exception>
    public static void Strip(Stream png, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(Signature);
        Walk(png, (type, data) =>
        {
            if (type is "tEXt" or "zTXt" or "iTXt" or "eXIf" or "tIME")
            {
                return;
            }

            Span<byte> header = stackalloc byte[8];
            BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
            Latin1.GetBytes(type, header[4..]);
            destination.Write(header);
            destination.Write(data);
            Span<byte> crc = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(header[4..], data));
            destination.Write(crc);
        });
    }

    /// <summary>Returns whether the bytes start with the PNG signature.</summary>
    public static bool IsPng(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Signature);

    // calls visit(type, data) for each chunk up to and including IEND
    private static void Walk(Stream png, Action<string, byte[]> visit)
    {
        ArgumentNullException.ThrowIfNull(png);
        Span<byte> header = stackalloc byte[8];
        Span<byte> crc = stackalloc byte[4];
        if (!TryFill(png, header) || !IsPng(header))
        {
            throw new MediaFormatException("not a PNG file");
        }

        while (true)
        {
            if (!TryFill(png, header))
            {
                throw new MediaFormatException("the PNG ends before its IEND chunk");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = Latin1.GetString(header[4..]);
            if (length > int.MaxValue || !type.All(char.IsAsciiLetter))
            {
                throw new MediaFormatException($"the PNG has a malformed chunk header ('{type}', {length} bytes)");
            }

            if (png.CanSeek && length + 4 > png.Length - png.Position)
            {
                throw new MediaFormatException($"the PNG is truncated inside its {type} chunk");
            }

            if (length > MaxChunkBytes)
            {
                throw new MediaFormatException($"the PNG's {type} chunk declares {length:N0} bytes, over the {MaxChunkBytes:N0}-byte limit");
            }

            var data = new byte[length];
            if (!TryFill(png, data) || !TryFill(png, crc))
            {
                throw new MediaFormatException($"the PNG is truncated inside its {type} chunk");
            }

            visit(type, data);
            if (type == "IEND")
            {
                return;
            }
        }
    }

    private static PngTextChunk Decode(string type, byte[] data)
    {
        var keywordEnd = Array.IndexOf(data, (byte)0);
        if (keywordEnd < 1)
        {
            throw new MediaFormatException($"a PNG {type} chunk has no keyword");
        }

        var keyword = Latin1.GetString(data, 0, keywordEnd);
        var rest = data.AsSpan(keywordEnd + 1);
        switch (type)
        {
            case "tEXt":
                return new(keyword, Latin1.GetString(rest), type);
            case "zTXt":
                // compression method byte (0 = zlib), then the compressed Latin-1 text
                return new(keyword, Latin1.GetString(Inflate(rest.Length > 0 ? rest[1..].ToArray() : [])), type);
            default:
                // iTXt: compression flag, method, language tag \0, translated keyword \0, UTF-8 text
                if (rest.Length < 2)
                {
                    throw new MediaFormatException("a PNG iTXt chunk is truncated");
                }

                var compressed = rest[0] == 1;
                var afterFlags = rest[2..];
                var languageEnd = afterFlags.IndexOf((byte)0);
                var translatedEnd = languageEnd < 0 ? -1 : afterFlags[(languageEnd + 1)..].IndexOf((byte)0);
                if (translatedEnd < 0)
                {
                    throw new MediaFormatException("a PNG iTXt chunk is truncated");
                }

                var text = afterFlags[(languageEnd + 1 + translatedEnd + 1)..].ToArray();
                return new(keyword, Encoding.UTF8.GetString(compressed ? Inflate(text) : text), type);
        }
    }

    private static byte[] Inflate(byte[] compressed)
    {
        try
        {
            using var input = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[16384];
            int read;
            while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + read > MaxTextBytes)
                {
                    throw new MediaFormatException($"a compressed PNG text chunk expands past {MaxTextBytes:N0} bytes");
                }

                output.Write(buffer, 0, read);
            }

            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new MediaFormatException("a compressed PNG text chunk is damaged", e);
        }
    }

    private static bool TryFill(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = stream.Read(buffer[total..]);
            if (read == 0)
            {
                return false;
            }

            total += read;
        }

        return true;
    }

    // the PNG CRC-32 (ISO 3309, polynomial 0xEDB88320) over the chunk type and data
    private static uint Crc32(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in type)
        {
            crc = CrcTable.Value[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        foreach (var b in data)
        {
            crc = CrcTable.Value[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }
}
