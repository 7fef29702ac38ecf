namespace MediaStudio.Media.Video;

/// <summary>Where the ffmpeg and ffprobe binaries are.</summary>
public sealed class FfmpegOptions
{
    public const string Section = "MediaStudio:Ffmpeg";

    /// <summary>Gets or sets the folder holding <c>ffmpeg</c> and <c>ffprobe</c>.</summary>
    /// <remarks>Defaults to searching the <c>PATH</c>.</remarks>
    public string? BinaryFolder { get; set; }
}
