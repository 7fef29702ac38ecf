using System.Text.Json;
using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;

namespace MediaStudio.Web.Endpoints;

/// <summary>A request to queue a job.</summary>
/// <param name="Kind">The job kind, e.g. <c>text-to-image</c>.</param>
/// <param name="Spec">The kind's parameters.</param>
public sealed record SubmitJobRequest(string Kind, JsonElement Spec);

/// <summary>A job as the API shows it.</summary>
public sealed record JobResponse(
    Guid Id,
    string Kind,
    string Status,
    string? Stage,
    double Progress,
    double? EtaSeconds,
    Guid? PreviewAssetId,
    int Attempts,
    string? Error,
    bool CancelRequested,
    long Position,
    Guid? ParentId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    JsonElement Spec,
    IReadOnlyList<AssetResponse> Outputs)
{
    public static JobResponse From(JobRecord job, IReadOnlyList<AssetRecord> outputs)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new(
            job.Id, job.Kind, job.Status.ToString().ToLowerInvariant(), job.Stage, job.Progress, job.EtaSeconds, job.PreviewAssetId,
            job.Attempts, job.Error, job.CancelRequested, job.Position, job.ParentId, job.CreatedAt, job.StartedAt, job.FinishedAt,
            JsonElement.Parse(job.SpecJson), outputs.Select(AssetResponse.From).ToList());
    }
}

/// <summary>An asset's metadata; its bytes are at <c>/api/assets/{id}/content</c>.</summary>
public sealed record AssetResponse(
    Guid Id,
    string Kind,
    string MediaType,
    string Sha256,
    long SizeBytes,
    int? Width,
    int? Height,
    double? DurationSeconds,
    string? FileName,
    string? Slot,
    Guid? SourceJobId,
    DateTimeOffset CreatedAt)
{
    public static AssetResponse From(AssetRecord asset)
    {
        ArgumentNullException.ThrowIfNull(asset);
        return new(asset.Id, asset.Kind.ToString().ToLowerInvariant(), asset.MediaType, asset.Sha256, asset.SizeBytes, asset.Width,
            asset.Height, asset.DurationSeconds, asset.FileName, asset.Slot, asset.SourceJobId, asset.CreatedAt);
    }
}
