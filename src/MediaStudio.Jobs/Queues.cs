namespace MediaStudio.Jobs;

/// <summary>Hangfire queue names; Hangfire accepts only lowercase letters, digits, '_' and '-'.</summary>
public static class Queues
{
    /// <summary>Image and video rendering: one worker by default, so one model holds the accelerator at a time.</summary>
    public const string Render = "render";

    /// <summary>Training runs (negative embeddings, recognizer, experiments).</summary>
    public const string Train = "train";

    /// <summary>Everything light: archives, probes, bookkeeping.</summary>
    public const string Default = "default";

    /// <summary>Gets every queue the studio's workers serve.</summary>
    public static IReadOnlyList<string> All { get; } = [Render, Train, Default];
}
