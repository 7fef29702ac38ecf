namespace MediaStudio.Jobs;

/// <summary>Hangfire queue names; Hangfire accepts only lowercase letters, digits, '_' and '-'.</summary>
public static class Queues
{
    /// <summary>Neural work: one worker per process so only one model holds the accelerator at a time.</summary>
    public const string Gpu = "gpu";

    /// <summary>ffmpeg and image work.</summary>
    public const string Media = "media";

    /// <summary>Bookkeeping.</summary>
    public const string Default = "default";
}
