using System.Globalization;
using MediaStudio.Core.Jobs;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Generation;
using MediaStudio.Web.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MediaStudio.Web.Components.Pages.Negatives;

/// <summary>The Negatives page: the learned negative embeddings with their cards, and a form that trains a new one.</summary>
public partial class NegativesPage
{
    /// <summary>The job kind this page submits.</summary>
    public const string Kind = "train-negative-embedding";

    /// <summary>How many of a card's training prompts are listed.</summary>
    public const int PromptsShown = 5;

    // the card fields shown in each card's table, in order
    private static readonly (string Label, string Key)[] Shown =
    [
        ("Variant", "variant"),
        ("Prompts used", "prompt_count"),
        ("Steps", "steps"),
        ("Guidance", "guidance"),
        ("Tokens", "tokens"),
        ("Training time", "training_seconds"),
    ];

    private readonly CancellationTokenSource _stop = new();
    private IReadOnlyList<NegativeEmbeddingCard> _cards = [];
    private IReadOnlyList<string> _problems = [];
    private string? _name;
    private string? _prompts;
    private long? _steps;
    private string? _jobName;
    private JobSnapshot? _job;
    private bool _submitting;

    [Inject]
    private JobBoard Board { get; set; } = null!;

    [Inject]
    private NegativeEmbeddingCatalog Negatives { get; set; } = null!;

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

    protected override void OnInitialized()
    {
        _cards = Negatives.List();
        _ = PollAsync(_stop.Token);
    }

    private static string? Fact(NegativeEmbeddingCard card, string key) =>
        card.Facts.FirstOrDefault(f => f.Key == key) is { Key: not null } fact ? fact.Value : null;

    private static string Duration(string seconds) =>
        double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
            ? TimeSpan.FromSeconds(Math.Round(s)).ToString(s >= 3600 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture)
            : seconds;

    private async Task TrainAsync()
    {
        var prompts = BatchInput.PromptsFromLines(_prompts);
        var spec = new TrainNegativeEmbeddingSpec(_name?.Trim() ?? string.Empty, prompts.Count == 0 ? null : prompts, _steps);
        _problems = spec.Validate();
        if (_problems.Count > 0)
        {
            return;
        }

        _submitting = true;
        try
        {
            var job = await Board.SubmitAsync(Kind, spec.ToJson(), _stop.Token);
            _job = new JobSnapshot(job, null, []);
            _jobName = spec.Name;
            Snackbar.Add($"Training \"{spec.Name}\" is queued; it also shows in Queue.", Severity.Success);
        }
        catch (JobInputException e)
        {
            _problems = e.Message.Split("; ");
        }
        finally
        {
            _submitting = false;
        }
    }

    // follows the training job once a second; when it succeeds the list is read again
    private async Task PollAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (_job is { } job && !job.Job.Status.IsFinal())
                {
                    await InvokeAsync(async () =>
                    {
                        _job = await Board.GetAsync(job.Job.Id, cancellationToken) ?? job;
                        if (_job.Job.Status == JobStatus.Succeeded)
                        {
                            _cards = Negatives.List();
                        }

                        StateHasChanged();
                    });
                }
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
}
