using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;
using MediaStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace MediaStudio.Jobs.Execution;

/// <summary>What a handler gets for one attempt: the job row, progress, and a way to publish outputs exactly once.</summary>
public sealed class JobExecution(JobRecord job, JobProgressReporter progress, StudioDbContext db, IBlobStore blobs, TimeProvider clock)
{
    /// <summary>The largest single output the studio accepts.</summary>
    public const long MaxOutputBytes = 2L << 30;

    public JobRecord Job { get; } = job;

    public JobProgressReporter Progress { get; } = progress;

    /// <summary>Stores an output under <paramref name="slot"/>; a retry that writes the same slot replaces, never duplicates.</summary>
    public async Task<AssetRecord> PublishOutputAsync(string slot, Stream content, string mediaType, OutputFacts facts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var blob = await blobs.PutAsync(content, MaxOutputBytes, cancellationToken);
        await db.Assets.Where(a => a.SourceJobId == Job.Id && a.Slot == slot).ExecuteDeleteAsync(cancellationToken);
        var asset = new AssetRecord
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            OwnerId = Job.OwnerId,
            Kind = AssetKind.Output,
            MediaType = mediaType,
            Sha256 = blob.Sha256,
            SizeBytes = blob.SizeBytes,
            Width = facts.Width,
            Height = facts.Height,
            DurationSeconds = facts.DurationSeconds,
            MetadataJson = facts.MetadataJson,
            FileName = facts.FileName,
            SourceJobId = Job.Id,
            Slot = slot,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Assets.Add(asset);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return asset;
    }
}

/// <summary>Facts about an output beyond its bytes.</summary>
public sealed record OutputFacts(string? FileName = null, int? Width = null, int? Height = null, double? DurationSeconds = null, string? MetadataJson = null);
