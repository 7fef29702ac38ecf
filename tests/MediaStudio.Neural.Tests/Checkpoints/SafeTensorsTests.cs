using System.Buffers.Binary;
using System.Text;
using MediaStudio.Neural.Checkpoints;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Checkpoints;

[Collection(NativeTestGroup.Name)]
public sealed class SafeTensorsTests
{
    private static readonly long[] Longs = [-5, 0, 1L << 40];
    private static readonly bool[] Mask = [true, false, true];
    private static readonly byte[] Bytes = [0, 255];

    private static byte[] HandWritten(string header, byte[] data)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + headerBytes.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)headerBytes.Length);
        headerBytes.CopyTo(file, 8);
        data.CopyTo(file, 8 + headerBytes.Length);
        return file;
    }

    private static string SaveTwoTensors(TempFolder folder)
    {
        var path = folder.File("two.safetensors");
        using var scope = NewDisposeScope();
        SafeTensors.Save(path, new Dictionary<string, Tensor>
        {
            ["a"] = arange(6, dtype: float32).reshape(2, 3),
            ["b"] = arange(4, dtype: float32),
        });
        return path;
    }

    [Fact]
    public void SaveLoad_MixedDtypesAndShapes_RoundTripsExactly()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var path = folder.File("mixed.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = randn(2, 3, generator: new Generator(1)),
            ["bf16"] = randn(4, generator: new Generator(2)).to(ScalarType.BFloat16),
            ["f16"] = randn(3, 1, generator: new Generator(3)).to(ScalarType.Float16),
            ["f64.scalar"] = tensor(3.25, dtype: float64),
            ["i64"] = tensor(Longs),
            ["mask"] = tensor(Mask),
            ["u8"] = tensor(Bytes),
            ["empty"] = zeros(0, 4),
            ["transposed"] = arange(6, dtype: float32).reshape(2, 3).t(),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "round trip" };

        SafeTensors.Save(path, tensors, metadata);
        var back = SafeTensors.Load(path);
        var header = SafeTensors.ReadHeader(path);

        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), back.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, expected) in tensors)
        {
            Assert.Equal(expected.dtype, back[key].dtype);
            Assert.Equal(expected.shape, back[key].shape);
            Assert.True(expected.eq(back[key]).all().item<bool>(), $"values of {key} differ");
        }

        Assert.Equal("round trip", header.Metadata["note"]);
        Assert.Equal(0, header.DataStart % 8);
    }

    [Fact]
    public void Load_HandWrittenSpecFile_ReadsValuesAndLittleEndianLayout()
    {
        using var folder = new TempFolder();
        var path = folder.File("spec.safetensors");
        var data = new byte[12];
        BinaryPrimitives.WriteSingleLittleEndian(data, 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), -2f);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(8), 7);
        File.WriteAllBytes(path, HandWritten(
            """{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"n":{"dtype":"I32","shape":[],"data_offsets":[8,12]}}""",
            data));

        using var scope = NewDisposeScope();
        var tensors = SafeTensors.Load(path);

        Assert.Equal(new[] { 1.5f, -2f }, tensors["w"].data<float>().ToArray());
        Assert.Equal(7, tensors["n"].item<int>());
        Assert.Empty(tensors["n"].shape);
    }

    [Fact]
    public void Load_TruncatedData_NamesTensorAndByteOffset()
    {
        using var folder = new TempFolder();
        var path = SaveTwoTensors(folder);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);

        var error = Assert.Throws<CheckpointException>(() => SafeTensors.Load(path));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.Contains("tensor 'b'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"file ends at byte offset {bytes.Length - 3}", error.Message, StringComparison.Ordinal);
        Assert.Equal("b", error.Key);
    }

    [Fact]
    public void Load_TruncatedInsideHeader_SaysHeaderIsCut()
    {
        using var folder = new TempFolder();
        var path = SaveTwoTensors(folder);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..40]);

        var error = Assert.Throws<CheckpointException>(() => SafeTensors.Load(path));

        Assert.Contains("truncated: the header claims bytes 8 to", error.Message, StringComparison.Ordinal);
        Assert.Contains("byte offset 40", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ShorterThanLengthPrefix_SaysSo()
    {
        using var folder = new TempFolder();
        var path = folder.File("tiny.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);

        var error = Assert.Throws<CheckpointException>(() => SafeTensors.Load(path));

        Assert.Contains("shorter than the 8-byte header length", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CorruptHeaderJson_NamesByteOffset()
    {
        using var folder = new TempFolder();
        var path = SaveTwoTensors(folder);
        var bytes = File.ReadAllBytes(path);
        bytes[12] = (byte)'#'; // header is {"a":{...: byte 12 is the colon after "a"
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CheckpointException>(() => SafeTensors.Load(path));

        Assert.Contains("corrupt header: invalid JSON at byte offset", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.ByteOffset);
        Assert.Equal(12, error.ByteOffset);
    }

    [Fact]
    public void Load_AbsurdHeaderLength_IsRejectedAsCorrupt()
    {
        using var folder = new TempFolder();
        var path = folder.File("absurd.safetensors");
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue - 1);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CheckpointException>(() => SafeTensors.Load(path));

        Assert.Contains("corrupt header: the length at offset 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OffsetsNotMatchingShape_NamesKey()
    {
        using var folder = new TempFolder();
        var path = folder.File("sizes.safetensors");
        File.WriteAllBytes(path, HandWritten("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", new byte[8]));

        var error = Assert.Throws<CheckpointException>(() => SafeTensors.Load(path));

        Assert.Contains("tensor 'w': data_offsets [0, 8] span 8 bytes but F32 [3] needs 12", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownDtype_NamesKeyAndDtype()
    {
        using var folder = new TempFolder();
        var path = folder.File("dtype.safetensors");
        File.WriteAllBytes(path, HandWritten("""{"w":{"dtype":"F8_E9","shape":[1],"data_offsets":[0,1]}}""", new byte[1]));

        var error = Assert.Throws<CheckpointException>(() => SafeTensors.Load(path));

        Assert.Contains("tensor 'w' has unsupported dtype \"F8_E9\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_HoleBetweenTensors_NamesKeyAndOffset()
    {
        using var folder = new TempFolder();
        var path = folder.File("hole.safetensors");
        const string header = """{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}""";
        File.WriteAllBytes(path, HandWritten(header, new byte[6]));

        var error = Assert.Throws<CheckpointException>(() => SafeTensors.Load(path));

        Assert.Contains($"tensor 'b' starts at byte offset {8 + header.Length + 4} and leaves a hole", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingEntryField_IsCorruptHeaderNamingKey()
    {
        using var folder = new TempFolder();
        var path = folder.File("field.safetensors");
        File.WriteAllBytes(path, HandWritten("""{"w":{"dtype":"U8","data_offsets":[0,1]}}""", new byte[1]));

        var error = Assert.Throws<CheckpointException>(() => SafeTensors.Load(path));

        Assert.Contains("corrupt header: entry 'w'", error.Message, StringComparison.Ordinal);
    }
}
