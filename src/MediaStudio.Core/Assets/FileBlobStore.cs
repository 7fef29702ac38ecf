using System.Security.Cryptography;
using MediaStudio.Core.Hosting;
using Microsoft.Extensions.Options;

namespace MediaStudio.Core.Assets;

/// <summary>Blobs as files under <c>&lt;data&gt;/blobs/ab/cd/&lt;sha256&gt;</c>, written to a temporary name and published by rename.</summary>
public sealed class FileBlobStore(IOptions<StorageOptions> storage) : IBlobStore
{
    private readonly string _root = Path.Combine(storage.Value.DataPath, "blobs");

    public async Task<BlobInfo> PutAsync(Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var staging = Directory.CreateDirectory(Path.Combine(_root, "staging")).FullName;
        var temp = Path.Combine(staging, $"{Guid.NewGuid():N}.part");
        try
        {
            long size = 0;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    size += read;
                    if (size > maxBytes)
                    {
                        throw new InvalidDataException($"content is larger than the {maxBytes:N0}-byte limit");
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }

            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            var target = PathOf(sha);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (File.Exists(target))
            {
                File.Delete(temp); // same bytes already stored: content addressing makes this a no-op
            }
            else
            {
                File.Move(temp, target, overwrite: true);
            }

            return new BlobInfo(sha, size);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public Stream OpenRead(string sha256) =>
        new FileStream(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);

    public bool Exists(string sha256) => File.Exists(PathOf(sha256));

    private string PathOf(string sha256)
    {
        // the key is validated, so no caller-supplied text ever becomes a path
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException($"'{sha256}' is not a lowercase hex SHA-256", nameof(sha256));
        }

        return Path.Combine(_root, sha256[..2], sha256[2..4], sha256);
    }
}
