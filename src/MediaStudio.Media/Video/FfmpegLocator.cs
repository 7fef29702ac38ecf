using MediaStudio.Core.Hosting;

namespace MediaStudio.Media.Video;

/// <summary>Finds the ffmpeg and ffprobe binaries the studio needs for video.</summary>
public static class FfmpegLocator
{
    private static readonly string[] Binaries = ["ffmpeg", "ffprobe"];

    /// <summary>Returns the folder that holds both binaries.</summary>
    /// <exception cref="StudioConfigurationException">Either binary is missing.</exception>
    public static string FindBinaryFolder(FfmpegOptions options, string? searchPath)
    {
        ArgumentNullException.ThrowIfNull(options);
        var candidates = options.BinaryFolder is { Length: > 0 } configured
            ? [configured]
            : (searchPath ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);

        foreach (var folder in candidates)
        {
            if (Binaries.All(name => IsExecutable(Path.Combine(folder, name))))
            {
                return Path.GetFullPath(folder);
            }
        }

        var where = options.BinaryFolder is { Length: > 0 } ? $"in '{options.BinaryFolder}'" : "on PATH";
        throw new StudioConfigurationException(
            $"ffmpeg and ffprobe were not found {where}; install them (Debian/Ubuntu: sudo apt-get install ffmpeg) or set {FfmpegOptions.Section}:BinaryFolder");
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0);
}
