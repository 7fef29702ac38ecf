namespace MediaStudio.Jobs.Execution;

/// <summary>Does the work of one job kind; the runner around it claims the row, reports progress, publishes outputs
/// and records the outcome.</summary>
public interface IJobHandler
{
    /// <summary>Gets the job kind this handler runs, e.g. <c>text-to-image</c>.</summary>
    string Kind { get; }

    /// <summary>Gets the Hangfire queue for this kind.</summary>
    string Queue { get; }

    /// <summary>Checks a spec before it is queued.</summary>
    /// <returns>One message per bad field, naming the field; empty when the spec is valid.</returns>
    IReadOnlyList<string> Validate(string specJson);

    /// <summary>Runs the job; checks <paramref name="cancellationToken"/> at least once per step.</summary>
    Task RunAsync(JobExecution execution, CancellationToken cancellationToken);
}
