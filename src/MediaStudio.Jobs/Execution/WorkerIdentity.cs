namespace MediaStudio.Jobs.Execution;

/// <summary>The stable name of this worker process, stored on the rows it runs so a restart can reconcile them.</summary>
/// <param name="Name">Machine name plus the configured worker name; the same across restarts of one worker.</param>
public sealed record WorkerIdentity(string Name);
