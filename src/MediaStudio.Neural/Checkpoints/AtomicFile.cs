namespace MediaStudio.Neural.Checkpoints;

/// <summary>Writes files so that a killed process leaves either the old file or the complete new one, never a torn one.</summary>
/// <remarks>Writes to a temporary file in the same folder, flushes it to disk, then renames it over the target (atomic on POSIX).</remarks>
public static class AtomicFile
{
    /// <summary>Writes a file atomically.</summary>
    /// <param name="path">Target path; its folder must exist.</param>
    /// <param name="write">Writes the content to the stream it is given.</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Writes text atomically as UTF-8.</summary>
    /// <param name="path">Target path.</param>
    /// <param name="text">Content.</param>
    public static void WriteAllText(string path, string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        Write(path, stream => stream.Write(bytes));
    }
}
