using System.Security.Cryptography;
using MediaStudio.Core.Assets;
using MediaStudio.Core.Hosting;
using Microsoft.Extensions.Options;

namespace MediaStudio.Core.Tests.Assets;

public sealed class FileBlobStoreTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("mediastudio-blobs-").FullName;
    private readonly FileBlobStore _store;

    public FileBlobStoreTests() => _store = new FileBlobStore(Options.Create(new StorageOptions { DataPath = _data }));

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PutAsync_SameBytesTwice_StoresOneBlobUnderItsSha256()
    {
        var bytes = RandomNumberGenerator.GetBytes(200_000);

        var first = await _store.PutAsync(new MemoryStream(bytes), 1 << 20, Ct);
        var second = await _store.PutAsync(new MemoryStream(bytes), 1 << 20, Ct);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), first.Sha256);
        Assert.Equal(first, second);
        Assert.Equal(bytes.Length, first.SizeBytes);
        await using var read = _store.OpenRead(first.Sha256);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy, Ct);
        Assert.Equal(bytes, copy.ToArray());
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_data, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task PutAsync_OverTheLimit_ThrowsAndKeepsNothing()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _store.PutAsync(new MemoryStream(new byte[5000]), 4096, Ct));

        Assert.Contains("4,096-byte limit", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_data, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task PutAsync_CancelledMidWrite_KeepsNothing()
    {
        using var cancel = new CancellationTokenSource();
        var slow = new CancelAfterFirstReadStream(new MemoryStream(new byte[300_000]), cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.PutAsync(slow, 1 << 20, cancel.Token));

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_data, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("../../../etc/passwd")]
    [InlineData("ABCDEF")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85G")]
    public void OpenRead_KeyThatIsNotALowercaseSha256_IsRejected(string key)
    {
        Assert.Throws<ArgumentException>(() => _store.OpenRead(key));
    }

    private sealed class CancelAfterFirstReadStream(Stream inner, CancellationTokenSource cancel) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            await cancel.CancelAsync();
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
