namespace MediaStudio.Media.Video;

/// <summary>Bounds checked on the probe before an untrusted video is decoded.</summary>
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
    }
}
