using MediaStudio.Core.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MediaStudio.Web.Endpoints;

/// <summary>REST endpoints for the whole queue: its state, pause and resume.</summary>
public static class QueueApi
{
    public static IEndpointRouteBuilder MapQueueApi(this IEndpointRouteBuilder app)
    {
        var queue = app.MapGroup("/api/queue").WithTags("Queue");
        queue.MapGet("/", GetAsync).WithName("GetQueue").WithSummary("Whether the queue is paused, and why.");
        queue.MapPost("/pause", PauseAsync).WithName("PauseQueue").WithSummary("Stop starting new jobs; running jobs finish.");
        queue.MapPost("/resume", ResumeAsync).WithName("ResumeQueue").WithSummary("Start jobs again.");
        return app;
    }

    private static async Task<Ok<QueueStateResponse>> GetAsync(QueueControl control, CancellationToken cancellationToken)
    {
        var state = await control.GetAsync(cancellationToken);
        return TypedResults.Ok(new QueueStateResponse(state.Paused, state.Reason, state.ChangedAt));
    }

    private static async Task<Ok<QueueStateResponse>> PauseAsync(QueueControl control, CancellationToken cancellationToken)
    {
        await control.PauseAsync("paused by you", cancellationToken);
        return await GetAsync(control, cancellationToken);
    }

    private static async Task<Ok<QueueStateResponse>> ResumeAsync(QueueControl control, CancellationToken cancellationToken)
    {
        await control.ResumeAsync(cancellationToken);
        return await GetAsync(control, cancellationToken);
    }
}

/// <summary>The queue's state.</summary>
public sealed record QueueStateResponse(bool Paused, string? Reason, DateTimeOffset ChangedAt);
