namespace MediaStudio.Core.Jobs;

/// <summary>A queued unit of work as the studio sees it; the Hangfire job carries only its id.</summary>
public sealed class JobRecord
{
    public Guid Id { get; set; }

    public required string Kind { get; set; }

    public required string OwnerId { get; set; }

    public JobStatus Status { get; set; }

    /// <summary>Gets or sets the request as JSON, read by the worker when the job runs.</summary>
    public required string SpecJson { get; set; }

    /// <summary>Gets or sets the place in the queue; lower runs first.</summary>
    public long Position { get; set; }

    /// <summary>Gets or sets the parent of a batch child, null for a top-level job.</summary>
    public Guid? ParentId { get; set; }

    public string? Stage { get; set; }

    /// <summary>Gets or sets the fraction done, 0 to 1.</summary>
    public double Progress { get; set; }

    public double? EtaSeconds { get; set; }

    public Guid? PreviewAssetId { get; set; }

    /// <summary>Gets or sets how many times a worker started the job.</summary>
    public int Attempts { get; set; }

    public string? Error { get; set; }

    /// <summary>Gets or sets the worker running or last running the job.</summary>
    public string? Worker { get; set; }

    public bool CancelRequested { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Gets or sets when the running attempt last proved it is alive; a stale heartbeat lets another worker take over.</summary>
    public DateTimeOffset? HeartbeatAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
