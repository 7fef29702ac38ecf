using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Checkpoints;

/// <summary>Reads and writes the safetensors format with our own code: no pickle, no Python.</summary>
/// <remarks>
/// Layout (huggingface/safetensors): bytes 0-7 hold N, the header length, as a little-endian u64; bytes 8 to 8+N hold a
/// UTF-8 JSON object mapping each key to {"dtype", "shape", "data_offsets": [begin, end]}, plus an optional
/// "__metadata__" string map; the data follows, offsets relative to byte 8+N. The reader checks every rule the
/// format sets (known dtype, sizes that match the shape, offsets inside the file, no holes or overlaps) and names the
/// key or the absolute byte offset in each error.
/// </remarks>
public static class SafeTensors
{
    /// <summary>Largest header accepted (100 MB, the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private static readonly Dictionary<ScalarType, string> DtypeNames = new()
    {
        [ScalarType.Float64] = "F64",
        [ScalarType.Float32] = "F32",
        [ScalarType.Float16] = "F16",
        [ScalarType.BFloat16] = "BF16",
        [ScalarType.Int64] = "I64",
        [ScalarType.Int32] = "I32",
        [ScalarType.Int16] = "I16",
        [ScalarType.Int8] = "I8",
        [ScalarType.Byte] = "U8",
        [ScalarType.Bool] = "BOOL",
    };

    private static readonly Dictionary<string, ScalarType> DtypesByName = DtypeNames.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>Gets the safetensors name of a dtype ("F32", "BF16", ...).</summary>
    /// <param name="dtype">A TorchSharp dtype.</param>
    /// <returns>The format's dtype string.</returns>
    public static string DtypeName(ScalarType dtype) =>
        DtypeNames.TryGetValue(dtype, out var name) ? name : throw new ArgumentException($"dtype {dtype} has no safetensors name", nameof(dtype));

    /// <summary>Writes tensors to a file atomically (temp file and rename), keys in ordinal order.</summary>
    /// <param name="path">Target file.</param>
    /// <param name="tensors">Tensors by key; any device, any layout.</param>
    /// <param name="metadata">Optional string metadata stored under "__metadata__".</param>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        AtomicFile.Write(path, stream => Write(stream, tensors, metadata));
    }

    /// <summary>Writes tensors to a stream, keys in ordinal order.</summary>
    /// <param name="stream">Destination.</param>
    /// <param name="tensors">Tensors by key; any device, any layout.</param>
    /// <param name="metadata">Optional string metadata stored under "__metadata__".</param>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var keys = tensors.Keys.Order(StringComparer.Ordinal).ToArray();
        if (keys.Contains(MetadataKey, StringComparer.Ordinal))
        {
            throw new ArgumentException($"\"{MetadataKey}\" is reserved and cannot be a tensor key", nameof(tensors));
        }

        var header = BuildHeader(keys, tensors, metadata);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var key in keys)
        {
            using var cpu = tensors[key].detach().cpu().contiguous();
            if (cpu.numel() > 0)
            {
                stream.Write(cpu.bytes);
            }
        }
    }

    /// <summary>Reads every tensor of a file onto the CPU.</summary>
    /// <param name="path">A safetensors file.</param>
    /// <returns>Tensors by key, in file order; the caller owns them.</returns>
    /// <exception cref="CheckpointException">The file is truncated or corrupt; the message names the key or byte offset.</exception>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, Path.GetFileName(path));
    }

    /// <summary>Reads only the header of a file: entries and metadata.</summary>
    /// <param name="path">A safetensors file.</param>
    /// <returns>The parsed and checked header.</returns>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadHeader(stream, Path.GetFileName(path));
    }

    /// <summary>Reads every tensor from a seekable stream onto the CPU.</summary>
    /// <param name="stream">A seekable stream positioned anywhere; reading starts at 0.</param>
    /// <param name="name">Name used in error messages.</param>
    /// <returns>Tensors by key, in file order; the caller owns them.</returns>
    public static Dictionary<string, Tensor> Read(Stream stream, string name)
    {
        var header = ReadHeader(stream, name);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in header.Entries)
            {
                var t = empty(entry.Shape, entry.Dtype);
                result.Add(entry.Key, t);
                if (entry.ByteLength == 0)
                {
                    continue;
                }

                var buffer = new byte[entry.ByteLength];
                stream.Position = header.DataStart + entry.Begin;
                stream.ReadExactly(buffer);
                t.bytes = buffer;
            }
        }
        catch
        {
            foreach (var t in result.Values)
            {
                t.Dispose();
            }

            throw;
        }

        return result;
    }

    /// <summary>Reads and checks the header of a seekable stream.</summary>
    /// <param name="stream">A seekable stream.</param>
    /// <param name="name">Name used in error messages.</param>
    /// <returns>The parsed header, entries sorted by data offset.</returns>
    public static SafeTensorsHeader ReadHeader(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var fileLength = stream.Length;
        if (fileLength < 8)
        {
            throw new CheckpointException($"{name}: truncated: the file is {fileLength} bytes, shorter than the 8-byte header length at offset 0", null, fileLength);
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
        {
            throw new CheckpointException($"{name}: corrupt header: the length at offset 0 says {headerLength} bytes, more than the {MaxHeaderBytes}-byte limit", null, 0);
        }

        if (8 + (long)headerLength > fileLength)
        {
            throw new CheckpointException(
                $"{name}: truncated: the header claims bytes 8 to {8 + (long)headerLength} but the file ends at byte offset {fileLength}", null, fileLength);
        }

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var dataStart = 8 + (long)headerLength;
        var (entries, metadata) = ParseHeader(headerBytes, name);
        CheckLayout(entries, name, dataStart, fileLength);
        return new SafeTensorsHeader(entries, metadata, dataStart);
    }

    private static byte[] BuildHeader(string[] keys, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WriteString(k, v);
                }

                json.WriteEndObject();
            }

            var offset = 0L;
            foreach (var key in keys)
            {
                var t = tensors[key];
                var bytes = t.numel() * t.ElementSize;
                json.WriteStartObject(key);
                json.WriteString("dtype", DtypeName(t.dtype));
                json.WriteStartArray("shape");
                foreach (var d in t.shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }

            json.WriteEndObject();
        }

        // pad with spaces so the data starts 8-byte aligned, as the reference writer does
        var padding = (int)((8 - (buffer.Length % 8)) % 8);
        for (var i = 0; i < padding; i++)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }

    private static (List<SafeTensorsEntry> Entries, Dictionary<string, string> Metadata) ParseHeader(byte[] headerBytes, string name)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            var offset = e.LineNumber == 0 && e.BytePositionInLine is { } position ? 8 + (long)position : (long?)null;
            var where = offset is null ? $"line {e.LineNumber + 1}, byte {e.BytePositionInLine} of the header" : $"byte offset {offset}";
            throw new CheckpointException($"{name}: corrupt header: invalid JSON at {where}", null, offset, e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException($"{name}: corrupt header: the JSON at byte offset 8 is a {document.RootElement.ValueKind}, not an object", null, 8);
            }

            var entries = new List<SafeTensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals(MetadataKey))
                {
                    foreach (var item in property.Value.EnumerateObject())
                    {
                        metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : item.Value.GetRawText();
                    }

                    continue;
                }

                entries.Add(ParseEntry(property, name));
            }

            return (entries, metadata);
        }
    }

    private static SafeTensorsEntry ParseEntry(JsonProperty property, string name)
    {
        var key = property.Name;
        try
        {
            var value = property.Value;
            var dtypeName = value.GetProperty("dtype").GetString() ?? "";
            if (!DtypesByName.TryGetValue(dtypeName, out var dtype))
            {
                throw new CheckpointException($"{name}: tensor '{key}' has unsupported dtype \"{dtypeName}\"", key, null);
            }

            var shape = value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var offsets = value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            if (shape.Any(d => d < 0) || offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
            {
                throw new CheckpointException(
                    $"{name}: tensor '{key}' has an invalid shape [{string.Join(", ", shape)}] or data_offsets [{string.Join(", ", offsets)}]", key, null);
            }

            var needed = shape.Aggregate(1L, (a, d) => checked(a * d)) * ElementSize(dtype);
            if (offsets[1] - offsets[0] != needed)
            {
                throw new CheckpointException(
                    $"{name}: tensor '{key}': data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]} bytes but {dtypeName} [{string.Join(", ", shape)}] needs {needed}",
                    key, null);
            }

            return new SafeTensorsEntry(key, dtype, shape, offsets[0], offsets[1]);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new CheckpointException($"{name}: corrupt header: entry '{key}' lacks a valid dtype, shape or data_offsets ({e.Message})", key, null, e);
        }
    }

    private static void CheckLayout(List<SafeTensorsEntry> entries, string name, long dataStart, long fileLength)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        var expected = 0L;
        foreach (var entry in entries)
        {
            if (entry.Begin != expected)
            {
                var problem = entry.Begin < expected ? "overlaps the previous tensor" : "leaves a hole after the previous tensor";
                throw new CheckpointException(
                    $"{name}: corrupt header: tensor '{entry.Key}' starts at byte offset {dataStart + entry.Begin} and {problem} (expected {dataStart + expected})",
                    entry.Key, dataStart + entry.Begin);
            }

            if (dataStart + entry.End > fileLength)
            {
                throw new CheckpointException(
                    $"{name}: truncated: tensor '{entry.Key}' ends at byte offset {dataStart + entry.End} but the file ends at byte offset {fileLength}",
                    entry.Key, fileLength);
            }

            expected = entry.End;
        }

        if (dataStart + expected != fileLength)
        {
            throw new CheckpointException(
                $"{name}: corrupt: {fileLength - dataStart - expected} trailing bytes after the last tensor, from byte offset {dataStart + expected}",
                null, dataStart + expected);
        }
    }

    private static long ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    internal static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
