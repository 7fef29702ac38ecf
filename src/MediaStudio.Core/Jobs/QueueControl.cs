using MediaStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace MediaStudio.Core.Jobs;

/// <summary>Pauses and resumes the whole queue; the state lives in the database so every worker machine sees it.</summary>
public sealed class QueueControl(StudioDbContext db, TimeProvider clock)
{
    /// <summary>Returns the queue's state; a database without the row is running.</summary>
    public async Task<QueueState> GetAsync(CancellationToken cancellationToken) =>
        await db.QueueStates.AsNoTracking().SingleOrDefaultAsync(q => q.Id == QueueState.SingletonId, cancellationToken)
        ?? new QueueState { Paused = false, ChangedAt = DateTimeOffset.UnixEpoch };

    /// <summary>Stops workers from starting new jobs.</summary>
    public Task PauseAsync(string reason, CancellationToken cancellationToken) => SetAsync(paused: true, reason, cancellationToken);

    /// <summary>Lets workers start jobs again.</summary>
    public Task ResumeAsync(CancellationToken cancellationToken) => SetAsync(paused: false, reason: null, cancellationToken);

    private async Task SetAsync(bool paused, string? reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var updated = await db.QueueStates.Where(q => q.Id == QueueState.SingletonId)
            .ExecuteUpdateAsync(set => set.SetProperty(q => q.Paused, paused).SetProperty(q => q.Reason, reason).SetProperty(q => q.ChangedAt, now), cancellationToken);
        if (updated == 0)
        {
            db.QueueStates.Add(new QueueState { Paused = paused, Reason = reason, ChangedAt = now });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // another process inserted the row first: set it instead
                db.ChangeTracker.Clear();
                await SetAsync(paused, reason, cancellationToken);
            }
        }
    }
}
