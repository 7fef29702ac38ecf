using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;
using MediaStudio.Core.Owners;
using MediaStudio.Core.Persistence;
using MediaStudio.Jobs.Execution;
using Microsoft.EntityFrameworkCore;

namespace MediaStudio.Web.Services;

/// <summary>What the pages do with jobs: list and watch them, submit, cancel, retry, reorder, pause the queue.
/// Each call runs in its own DI scope, so a page's refresh timer and its buttons never share a database context.</summary>
public sealed class JobBoard(IServiceScopeFactory scopes)
{
    /// <summary>Lists the newest jobs for the queue page: running first, then queued in run order, then the rest newest first.</summary>
    public async Task<IReadOnlyList<JobSnapshot>> ListAsync(int take, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        var jobs = await store.ListAsync(Owner.Local, status: null, skip: 0, take, cancellationToken);
        var places = await QueuePlacesAsync(db, cancellationToken);
        return jobs
            .OrderBy(j => j.Status switch { JobStatus.Running => 0, JobStatus.Queued or JobStatus.Interrupted => 1, _ => 2 })
            .ThenBy(j => j.Status is JobStatus.Queued or JobStatus.Interrupted ? j.Position : 0)
            .ThenByDescending(j => j.Id)
            .Select(j => new JobSnapshot(j, places.TryGetValue(j.Id, out var place) ? place : null, []))
            .ToList();
    }

    /// <summary>Reads one job with its outputs (ordered by slot), or null when it is not the local owner's.</summary>
    public async Task<JobSnapshot?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        var job = await store.FindAsync(id, cancellationToken);
        if (job is not { OwnerId: Owner.Local })
        {
            return null;
        }

        var outputs = await db.Assets.AsNoTracking().Where(a => a.SourceJobId == id).ToListAsync(cancellationToken);
        var places = job.Status is JobStatus.Queued or JobStatus.Interrupted ? await QueuePlacesAsync(db, cancellationToken) : new Dictionary<Guid, int>();
        return new JobSnapshot(job, places.TryGetValue(id, out var place) ? place : null, outputs.OrderBy(a => SlotOrder(a.Slot)).ThenBy(a => a.Slot, StringComparer.Ordinal).ToList());
    }

    /// <summary>Validates and queues a job.</summary>
    /// <exception cref="JobInputException">The kind is unknown or the spec is invalid; the message names each bad field.</exception>
    public async Task<JobRecord> SubmitAsync(string kind, string specJson, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobService>().SubmitAsync(kind, Owner.Local, specJson, cancellationToken);
    }

    /// <summary>Cancels a queued job now, a running one within a step.</summary>
    /// <returns>False when the job had already finished.</returns>
    public Task<bool> CancelAsync(Guid id, CancellationToken cancellationToken) =>
        WithOwnJobAsync(id, (services, ct) => services.GetRequiredService<JobService>().CancelAsync(id, ct), cancellationToken);

    /// <summary>Queues a failed, cancelled or interrupted job again.</summary>
    public Task<bool> RetryAsync(Guid id, CancellationToken cancellationToken) =>
        WithOwnJobAsync(id, (services, ct) => services.GetRequiredService<JobService>().RetryAsync(id, ct), cancellationToken);

    /// <summary>Moves a queued job up, down or to the top.</summary>
    public Task<bool> MoveAsync(Guid id, QueueMove move, CancellationToken cancellationToken) =>
        WithOwnJobAsync(id, (services, ct) => services.GetRequiredService<JobStore>().MoveAsync(id, move, ct), cancellationToken);

    /// <summary>Reads whether the queue is paused.</summary>
    public async Task<QueueState> GetQueueStateAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<QueueControl>().GetAsync(cancellationToken);
    }

    /// <summary>Pauses or resumes the whole queue.</summary>
    public async Task SetPausedAsync(bool paused, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var control = scope.ServiceProvider.GetRequiredService<QueueControl>();
        if (paused)
        {
            await control.PauseAsync("paused by you", cancellationToken);
        }
        else
        {
            await control.ResumeAsync(cancellationToken);
        }
    }

    // "image-10" after "image-9"
    private static int SlotOrder(string? slot) =>
        slot is not null && slot.LastIndexOf('-') is var dash and >= 0 && int.TryParse(slot.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue;

    // 1-based place of every waiting job in run order (lowest position first)
    private static async Task<Dictionary<Guid, int>> QueuePlacesAsync(StudioDbContext db, CancellationToken cancellationToken)
    {
        var waiting = await db.Jobs.AsNoTracking()
            .Where(j => (j.Status == JobStatus.Queued || j.Status == JobStatus.Interrupted) && !j.CancelRequested)
            .OrderBy(j => j.Position)
            .Select(j => j.Id)
            .Take(10_000)
            .ToListAsync(cancellationToken);
        return waiting.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i + 1);
    }

    private async Task<bool> WithOwnJobAsync(Guid id, Func<IServiceProvider, CancellationToken, Task<bool>> action, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        return await store.FindAsync(id, cancellationToken) is { OwnerId: Owner.Local } && await action(scope.ServiceProvider, cancellationToken);
    }
}

/// <summary>A job as a page shows it.</summary>
/// <param name="Job">The row.</param>
/// <param name="QueuePlace">Its 1-based place among waiting jobs, or null when it is not waiting.</param>
/// <param name="Outputs">Its published outputs, by slot (only filled by <see cref="JobBoard.GetAsync"/>).</param>
public sealed record JobSnapshot(JobRecord Job, int? QueuePlace, IReadOnlyList<AssetRecord> Outputs)
{
    /// <summary>Gets the image outputs in slot order, leaving out previews (the current preview, and slots named
    /// <c>preview</c> or <c>preview-…</c>).</summary>
    public IReadOnlyList<AssetRecord> Images => Outputs.Where(a => a.MediaType.StartsWith("image/", StringComparison.Ordinal) && a.Id != Job.PreviewAssetId && !IsPreviewSlot(a.Slot)).ToList();

    /// <summary>Returns whether an output slot holds a progress preview rather than a result.</summary>
    public static bool IsPreviewSlot(string? slot) =>
        slot is not null && (slot == "preview" || slot.StartsWith("preview-", StringComparison.Ordinal));
}
