namespace MediaStudio.Core.Jobs;

/// <summary>The result of trying to start a job.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Job">The row: claimed by this attempt, or running elsewhere; null when there is nothing to do.</param>
public sealed record JobClaim(JobClaimOutcome Outcome, JobRecord? Job)
{
    public static JobClaim NothingToDo { get; } = new(JobClaimOutcome.NothingToDo, null);
}

/// <summary>What trying to start a job did.</summary>
public enum JobClaimOutcome
{
    /// <summary>This attempt owns the job now.</summary>
    Claimed,

    /// <summary>A live attempt elsewhere runs it; check again once its heartbeat could have gone stale.</summary>
    BusyElsewhere,

    /// <summary>The job is final, cancelled, or was just quarantined.</summary>
    NothingToDo,
}
