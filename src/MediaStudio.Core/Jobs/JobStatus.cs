namespace MediaStudio.Core.Jobs;

/// <summary>The life cycle of a job.</summary>
public enum JobStatus
{
    /// <summary>Waiting for a worker.</summary>
    Queued,

    /// <summary>A worker is on it.</summary>
    Running,

    /// <summary>Finished with its outputs published.</summary>
    Succeeded,

    /// <summary>Finished with an error; a person may retry it.</summary>
    Failed,

    /// <summary>Stopped on request; no output was published.</summary>
    Cancelled,

    /// <summary>Its worker died mid-run; it runs again unless it keeps killing workers.</summary>
    Interrupted,
}

/// <summary>Helpers over <see cref="JobStatus"/>.</summary>
public static class JobStatusExtensions
{
    /// <summary>Returns whether the status is final: nothing more will happen without a retry.</summary>
    public static bool IsFinal(this JobStatus status) => status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled;
}
