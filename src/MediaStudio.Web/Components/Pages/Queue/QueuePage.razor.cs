using System.Text.Json;
using MediaStudio.Core.Jobs;
using MediaStudio.Web.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MediaStudio.Web.Components.Pages.Queue;

/// <summary>The queue: every job with its status, progress, place and times, refreshed every second while shown.</summary>
public partial class QueuePage
{
    /// <summary>How often the page reads the jobs again.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();
    private IReadOnlyList<JobSnapshot>? _jobs;
    private QueueState? _state;
    private DateTimeOffset _now;
    private int? _lastPlace;

    [Inject]
    private JobBoard Board { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    [Inject]
    private TimeProvider Clock { get; set; } = null!;

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    protected override async Task OnInitializedAsync()
    {
        await RefreshAsync();
        _ = PollAsync(_stop.Token);
    }

    // one loop per page, ended by Dispose (the circuit going away or navigation)
    private async Task PollAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval, Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await InvokeAsync(async () =>
                {
                    await RefreshAsync();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // the page was closed
        }
        catch (ObjectDisposedException)
        {
            // the circuit was torn down between ticks
        }
    }

    private async Task RefreshAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _jobs = await Board.ListAsync(200, _stop.Token);
        _state = await Board.GetQueueStateAsync(_stop.Token);
        _now = Clock.GetUtcNow();
        _lastPlace = _jobs.Max(j => j.QueuePlace);
    }

    private Task CancelAsync(JobSnapshot row) =>
        ActAsync(Board.CancelAsync(row.Job.Id, _stop.Token), "That job has already finished.");

    private Task RetryAsync(JobSnapshot row) =>
        ActAsync(Board.RetryAsync(row.Job.Id, _stop.Token), "Only a failed, cancelled or interrupted job can be retried.");

    private Task MoveAsync(JobSnapshot row, QueueMove move) =>
        ActAsync(Board.MoveAsync(row.Job.Id, move, _stop.Token), "Only a queued job can be moved.");

    private async Task ActAsync(Task<bool> action, string refusal)
    {
        if (!await action)
        {
            Snackbar.Add(refusal, Severity.Warning);
        }

        await RefreshAsync();
    }

    private async Task SetPausedAsync(bool paused)
    {
        await Board.SetPausedAsync(paused, _stop.Token);
        Snackbar.Add(paused ? "Queue paused: running jobs finish, no new job starts." : "Queue resumed.", Severity.Info);
        await RefreshAsync();
    }

    // the first thing a person recognises in a spec: its prompt, or its first few fields
    private static string Summary(JobRecord job)
    {
        try
        {
            using var doc = JsonDocument.Parse(job.SpecJson);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("prompt", out var prompt) && prompt.ValueKind == JsonValueKind.String)
            {
                var text = prompt.GetString()!;
                return text.Length > 80 ? text[..80] + "…" : text;
            }

            var raw = doc.RootElement.GetRawText();
            return raw.Length > 80 ? raw[..80] + "…" : raw;
        }
        catch (JsonException)
        {
            return string.Empty;
        }
    }
}
