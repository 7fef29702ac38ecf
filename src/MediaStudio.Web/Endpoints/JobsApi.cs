using MediaStudio.Core.Jobs;
using MediaStudio.Core.Owners;
using MediaStudio.Core.Persistence;
using MediaStudio.Jobs.Execution;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace MediaStudio.Web.Endpoints;

/// <summary>REST endpoints for jobs: submit, read, list, cancel, retry.</summary>
public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/jobs").WithTags("Jobs");
        jobs.MapPost("/", SubmitAsync).WithName("SubmitJob").WithSummary("Queue a job; the spec is validated field by field.");
        jobs.MapGet("/", ListAsync).WithName("ListJobs").WithSummary("List jobs, newest first.");
        jobs.MapGet("/{id:guid}", GetAsync).WithName("GetJob").WithSummary("A job with its progress and outputs.");
        jobs.MapPost("/{id:guid}/cancel", CancelAsync).WithName("CancelJob").WithSummary("Cancel a queued job now, a running one within a step.");
        jobs.MapPost("/{id:guid}/move", MoveAsync).WithName("MoveJob").WithSummary("Move a queued job: to=top, up or down.");
        jobs.MapPost("/{id:guid}/retry", RetryAsync).WithName("RetryJob").WithSummary("Queue a failed, cancelled or interrupted job again.");
        return app;
    }

    private static async Task<Results<Accepted<JobResponse>, ValidationProblem>> SubmitAsync(
        SubmitJobRequest request, JobService jobs, CancellationToken cancellationToken)
    {
        try
        {
            var job = await jobs.SubmitAsync(request.Kind, Owner.Local, request.Spec.GetRawText(), cancellationToken);
            return TypedResults.Accepted($"/api/jobs/{job.Id}", JobResponse.From(job, []));
        }
        catch (JobInputException e)
        {
            return TypedResults.ValidationProblem(ProblemsByField(e.Message), title: "The job request is invalid.");
        }
    }

    private static async Task<Ok<List<JobResponse>>> ListAsync(
        StudioDbContext db, JobStore store, JobStatus? status, int? skip, int? take, CancellationToken cancellationToken)
    {
        var pageQuery = store.Page(Owner.Local, status, Math.Max(skip ?? 0, 0), Math.Clamp(take ?? 100, 1, 10_000));
        var page = await pageQuery.ToListAsync(cancellationToken);
        // a sub-query rather than a list of 10,000 ids: both engines then use the (source job, slot) index
        var outputs = (await db.Assets.AsNoTracking().Where(a => pageQuery.Select(j => (Guid?)j.Id).Contains(a.SourceJobId)).ToListAsync(cancellationToken))
            .ToLookup(a => a.SourceJobId!.Value);
        return TypedResults.Ok(page.Select(j => JobResponse.From(j, outputs[j.Id].ToList())).ToList());
    }

    private static async Task<Results<Ok<JobResponse>, NotFound>> GetAsync(Guid id, StudioDbContext db, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id && j.OwnerId == Owner.Local, cancellationToken);
        if (job is null)
        {
            return TypedResults.NotFound();
        }

        var outputs = await db.Assets.AsNoTracking().Where(a => a.SourceJobId == id).OrderBy(a => a.Slot).ToListAsync(cancellationToken);
        return TypedResults.Ok(JobResponse.From(job, outputs));
    }

    private static async Task<Results<Accepted, NotFound, Conflict<string>>> CancelAsync(
        Guid id, JobStore store, JobService jobs, CancellationToken cancellationToken)
    {
        if (!await IsOwnJobAsync(store, id, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        return await jobs.CancelAsync(id, cancellationToken)
            ? TypedResults.Accepted($"/api/jobs/{id}")
            : TypedResults.Conflict("the job has already finished");
    }

    private static async Task<Results<Accepted, NotFound, Conflict<string>>> RetryAsync(
        Guid id, JobStore store, JobService jobs, CancellationToken cancellationToken)
    {
        if (!await IsOwnJobAsync(store, id, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        return await jobs.RetryAsync(id, cancellationToken)
            ? TypedResults.Accepted($"/api/jobs/{id}")
            : TypedResults.Conflict("only a failed, cancelled or interrupted job can be retried");
    }

    private static async Task<Results<Ok, NotFound, Conflict<string>>> MoveAsync(
        Guid id, QueueMove to, JobStore store, CancellationToken cancellationToken)
    {
        if (!await IsOwnJobAsync(store, id, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        return await store.MoveAsync(id, to, cancellationToken)
            ? TypedResults.Ok()
            : TypedResults.Conflict("only a queued job can be moved");
    }

    private static async Task<bool> IsOwnJobAsync(JobStore store, Guid id, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { OwnerId: Owner.Local };

    // "steps: must be between 1 and 200; prompt: too long" -> { steps: [...], prompt: [...] }
    private static Dictionary<string, string[]> ProblemsByField(string message) =>
        message.Split("; ", StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split(": ", 2))
            .GroupBy(parts => parts.Length == 2 ? parts[0] : "spec", parts => parts[^1], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
}
