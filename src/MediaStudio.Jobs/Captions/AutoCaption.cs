using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaStudio.Jobs.Captions;

/// <summary>
/// Queues a <c>caption</c> job for the images a render job has just published, when
/// <see cref="CaptionOptions.AutoCaption"/> is on. It never fails the render: a missing captioner or a refused
/// submission is logged and the render goes on.
/// </summary>
public sealed partial class AutoCaption(
    IOptions<CaptionOptions> options, IOptions<ModelRegistryOptions> models, IServiceScopeFactory scopes, ILogger<AutoCaption> logger)
{
    /// <summary>Queues captioning of <paramref name="assetIds"/> for the job's owner.</summary>
    /// <returns>The caption job, or null when nothing was queued (switched off, no captioner, no images, or refused).</returns>
    public async Task<Guid?> QueueAsync(JobExecution execution, IReadOnlyList<Guid> assetIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(assetIds);
        if (!options.Value.AutoCaption || assetIds.Count == 0)
        {
            return null;
        }

        var folder = CaptionOptions.ModelFolder(models.Value.Path);
        if (!CaptionOptions.IsInstalled(models.Value.Path))
        {
            LogNoCaptioner(execution.Job.Id, folder);
            return null;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var jobs = scope.ServiceProvider.GetRequiredService<JobService>();
            var ids = assetIds.Take(CaptionSpec.MaxAssets).ToList();
            var job = await jobs.SubmitAsync(CaptionSpec.Kind, execution.Job.OwnerId, new CaptionSpec(ids).ToJson(), cancellationToken);
            return job.Id;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNotQueued(e, execution.Job.Id);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: outputs not captioned, the captioner is not installed in {Folder}")]
    private partial void LogNoCaptioner(Guid jobId, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: the caption job for its outputs could not be queued; the outputs stay uncaptioned")]
    private partial void LogNotQueued(Exception exception, Guid jobId);
}
