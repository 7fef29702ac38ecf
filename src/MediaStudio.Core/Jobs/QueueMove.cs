namespace MediaStudio.Core.Jobs;

/// <summary>Where to move a queued job.</summary>
public enum QueueMove
{
    /// <summary>Swap with the job before it.</summary>
    Up,

    /// <summary>Swap with the job after it.</summary>
    Down,

    /// <summary>Run it next.</summary>
    Top,
}
