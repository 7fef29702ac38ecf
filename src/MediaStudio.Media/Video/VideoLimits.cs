namespace MediaStudio.Media.Video;

/// <summary>Bounds checked on the probe before an untrusted video is decoded, and time limits on every ffmpeg call.</summary>
public sealed class VideoLimits
{
    public const string Section = "MediaStudio:Video";

    /// <summary>Gets or sets the largest accepted width or height.</summary>
    /// <remarks>Defaults to 4096.</remarks>
    public int MaxSide { get; set; } = 4096;

    /// <summary>Gets or sets the most frames decoded from one file.</summary>
    /// <remarks>Defaults to 2048.</remarks>
    public int MaxFrames { get; set; } = 2048;

    /// <summary>Gets or sets the longest accepted duration.</summary>
    /// <remarks>Defaults to 10 minutes.</remarks>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets the highest accepted average frame rate.</summary>
    /// <remarks>Defaults to 120 frames per second.</remarks>
    public double MaxFrameRate { get; set; } = 120;

    /// <summary>Gets or sets the most streams (video, audio, subtitles, data) a container may hold.</summary>
    /// <remarks>Defaults to 8.</remarks>
    public int MaxStreams { get; set; } = 8;

    /// <summary>Gets or sets the most bytes of raw RGB a decode may produce in memory.</summary>
    /// <remarks>Defaults to 1 GiB.</remarks>
    public long MaxDecodedBytes { get; set; } = 1L << 30;

    /// <summary>Gets or sets the wall-clock limit of one ffprobe call.</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the wall-clock limit of one ffmpeg decode or encode.</summary>
    /// <remarks>Defaults to 10 minutes.</remarks>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (MaxSide < 2)
        {
            throw new ArgumentException($"MaxSide must be at least 2, got {MaxSide}", nameof(MaxSide));
        }

        if (MaxFrames < 1)
        {
            throw new ArgumentException($"MaxFrames must be positive, got {MaxFrames}", nameof(MaxFrames));
        }

        if (MaxDuration <= TimeSpan.Zero)
        {
            throw new ArgumentException($"MaxDuration must be positive, got {MaxDuration}", nameof(MaxDuration));
        }

        if (!(MaxFrameRate > 0) || !double.IsFinite(MaxFrameRate))
        {
            throw new ArgumentException($"MaxFrameRate must be a positive number, got {MaxFrameRate}", nameof(MaxFrameRate));
        }

        if (MaxStreams < 1)
        {
            throw new ArgumentException($"MaxStreams must be positive, got {MaxStreams}", nameof(MaxStreams));
        }

        if (MaxDecodedBytes < 1)
        {
            throw new ArgumentException($"MaxDecodedBytes must be positive, got {MaxDecodedBytes}", nameof(MaxDecodedBytes));
        }

        if (ProbeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ProbeTimeout must be positive, got {ProbeTimeout}", nameof(ProbeTimeout));
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Timeout must be positive, got {Timeout}", nameof(Timeout));
        }
    }
}
