using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MediaStudio.Neural.Checkpoints;

/// <summary>A <c>SHA256SUMS</c> manifest beside the weights, in <c>sha256sum</c>'s format ("hex  name" per line).</summary>
/// <remarks>The same file can be checked by hand with <c>sha256sum -c SHA256SUMS</c> in the model folder.</remarks>
public static class Sha256Manifest
{
    /// <summary>The manifest's file name.</summary>
    public const string FileName = "SHA256SUMS";

    /// <summary>Computes the lowercase hex SHA-256 of a file.</summary>
    /// <param name="path">File to hash.</param>
    /// <returns>64 lowercase hex digits.</returns>
    public static string Hash(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Writes the manifest for the given files of a folder, atomically.</summary>
    /// <param name="folder">Model folder.</param>
    /// <param name="fileNames">File names inside the folder.</param>
    public static void Write(string folder, IEnumerable<string> fileNames)
    {
        ArgumentNullException.ThrowIfNull(fileNames);
        var text = new StringBuilder();
        foreach (var name in fileNames.Order(StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{Hash(Path.Combine(folder, name))}  {name}\n");
        }

        AtomicFile.WriteAllText(Path.Combine(folder, FileName), text.ToString());
    }

    /// <summary>Reads the manifest of a folder.</summary>
    /// <param name="folder">Model folder.</param>
    /// <returns>Expected hashes by file name.</returns>
    /// <exception cref="CheckpointException">The manifest is missing or malformed.</exception>
    public static Dictionary<string, string> Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new CheckpointException($"no {FileName} manifest in {folder}; weights are only loaded with a recorded SHA-256");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            // "hex  name" (text mode) or "hex *name" (binary mode)
            if (line.Length < 67 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*') || !line[..64].All(char.IsAsciiHexDigit))
            {
                throw new CheckpointException($"{FileName} line {lineNumber} is not \"<64 hex digits>  <file name>\": \"{line}\"");
            }

            result[line[66..]] = line[..64].ToLowerInvariant();
        }

        return result;
    }

    /// <summary>Checks that a file is listed in the folder's manifest and that its SHA-256 matches.</summary>
    /// <param name="folder">Model folder.</param>
    /// <param name="fileName">File name inside the folder.</param>
    /// <exception cref="CheckpointException">The manifest is missing, does not list the file, or the hash differs.</exception>
    public static void Verify(string folder, string fileName)
    {
        var expected = Read(folder);
        if (!expected.TryGetValue(fileName, out var hash))
        {
            throw new CheckpointException($"{FileName} in {folder} does not list {fileName}");
        }

        var actual = Hash(Path.Combine(folder, fileName));
        if (!string.Equals(actual, hash, StringComparison.Ordinal))
        {
            throw new CheckpointException($"SHA-256 mismatch for {fileName}: {FileName} records {hash}, the file hashes to {actual}");
        }
    }
}
