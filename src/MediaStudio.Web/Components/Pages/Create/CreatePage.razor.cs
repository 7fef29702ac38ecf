using MediaStudio.Core.Jobs;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Generation;
using MediaStudio.Web.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MediaStudio.Web.Components.Pages.Create;

/// <summary>The Create page: the form, the drop zone that fills it, and the jobs submitted from here, watched live.</summary>
public partial class CreatePage
{
    /// <summary>The job kind this page submits.</summary>
    public const string Kind = "text-to-image";

    /// <summary>How many of this visit's jobs stay on the page.</summary>
    public const int Shown = 4;

    private readonly CancellationTokenSource _stop = new();
    private List<JobSnapshot> _jobs = [];
    private TextToImageSpec? _initial;
    private IReadOnlyList<NegativeEmbeddingCard> _embeddings = [];
    private IReadOnlyList<string> _serverErrors = [];
    private string? _submitError;
    private bool _submitting;

    /// <summary>Gets or sets an asset whose settings fill the form ("reuse settings" in the gallery).</summary>
    [SupplyParameterFromQuery(Name = "from")]
    public Guid? From { get; set; }

    [Inject]
    private JobBoard Board { get; set; } = null!;

    [Inject]
    private AssetLibrary Library { get; set; } = null!;

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

    protected override async Task OnInitializedAsync()
    {
        _embeddings = Negatives.List();
        _ = PollAsync(_stop.Token);
        if (From is { } id)
        {
            var asset = await Library.FindAsync(id, _stop.Token);
            if (GenerationSettings.FromMetadataJson(asset?.MetadataJson) is { } imported)
            {
                _initial = imported.Spec;
                Snackbar.Add(imported.Summary, Severity.Info);
            }
            else
            {
                Snackbar.Add("That image carries no settings to reuse.", Severity.Warning);
            }
        }
    }

    private void OnImported(ImportedSettings imported)
    {
        _initial = imported.Spec;
        _serverErrors = [];
        Snackbar.Add(imported.Summary, Severity.Success);
    }

    private void OnImportError(string message) => Snackbar.Add(message, Severity.Warning);

    private async Task SubmitAsync(TextToImageSpec spec)
    {
        _submitting = true;
        _submitError = null;
        _serverErrors = [];
        try
        {
            var job = await Board.SubmitAsync(Kind, spec.ToJson(), _stop.Token);
            _jobs = [new JobSnapshot(job, null, []), .. _jobs.Take(Shown - 1)];
            Snackbar.Add("Queued.", Severity.Success);
        }
        catch (JobInputException e)
        {
            // field problems go next to their fields; the rest (an unknown job kind) in words above
            var fields = TextToImageForm.ByField(e.Message.Split("; "));
            _serverErrors = e.Message.Split("; ").Where(p => !p.StartsWith("kind:", StringComparison.Ordinal) && !p.StartsWith("spec:", StringComparison.Ordinal)).ToList();
            _submitError = fields.TryGetValue("kind", out var kind)
                ? $"This studio cannot run this kind of job: {kind}"
                : $"The request was refused: {e.Message}";
            Snackbar.Add(_submitError, Severity.Error);
        }
        finally
        {
            _submitting = false;
        }
    }

    private async Task CancelAsync(Guid id)
    {
        await Board.CancelAsync(id, _stop.Token);
        await RefreshAsync();
    }

    // follows this visit's unfinished jobs once a second, ended by Dispose
    private async Task PollAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (_jobs.Any(j => !j.Job.Status.IsFinal()))
                {
                    await InvokeAsync(async () =>
                    {
                        await RefreshAsync();
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

    private async Task RefreshAsync()
    {
        var fresh = new List<JobSnapshot>(_jobs.Count);
        foreach (var job in _jobs)
        {
            // outputs are published before the status turns final, so the read that sees it final also sees them
            fresh.Add(job.Job.Status.IsFinal() ? job : await Board.GetAsync(job.Job.Id, _stop.Token) ?? job);
        }

        _jobs = fresh;
    }
}
