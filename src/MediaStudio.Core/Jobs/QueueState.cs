namespace MediaStudio.Core.Jobs;

/// <summary>The whole queue's switch: while paused, no worker starts a new job (running ones finish).</summary>
public sealed class QueueState
{
    /// <summary>The id of the single row.</summary>
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public bool Paused { get; set; }

    /// <summary>Gets or sets why the queue is paused, shown to the person ("paused by you", "paused after an unclean shutdown").</summary>
    public string? Reason { get; set; }

    public DateTimeOffset ChangedAt { get; set; }
}
