namespace MediaStudio.Core.Jobs;

/// <summary>A queued unit of work as the studio sees it; the Hangfire job carries only its id.</summary>
public sealed class JobRecord
{
    public Guid Id { get; set; }

    public required string Kind { get; set; }

    public JobStatus Status { get; set; }

    /// <summary>Gets or sets the request as JSON, read by the worker when the job runs.</summary>
    public required string SpecJson { get; set; }

    public double Progress { get; set; }

    public string? Stage { get; set; }

    public string? Error { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The life cycle of a job.</summary>
public enum JobStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}
