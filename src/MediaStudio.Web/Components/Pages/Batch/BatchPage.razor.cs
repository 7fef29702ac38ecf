using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Generation;
using MediaStudio.Web.Components.Pages.Create;
using MediaStudio.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;

namespace MediaStudio.Web.Components.Pages.Batch;

/// <summary>The Batch page: prompts (pasted or from a CSV) × seeds with shared settings, one aggregate progress, then the
/// contact sheet and the ZIP.</summary>
public partial class BatchPage
{
    /// <summary>The job kind this page submits.</summary>
    public const string Kind = "batch-render";

    /// <summary>The largest CSV accepted.</summary>
    public const long MaxCsvBytes = 1 << 20;

    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random = new();
    private IReadOnlyList<NegativeEmbeddingCard> _embeddings = [];
    private IReadOnlyList<string> _problems = [];
    private string? _promptText;
    private string? _seedText = "1, 2";
    private NegativeChoice _negative = new(TextToImageSpec.NegativeNone, null, null);
    private int _steps = 20;
    private double _guidance = 5;
    private string _sampler = "dpmpp_2m";
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

    private string Summary
    {
        get
        {
            var prompts = BatchInput.PromptsFromLines(_promptText).Count;
            var seeds = BatchInput.Seeds(_seedText, _random);
            return seeds.Error is null ? $"{prompts} prompts × {seeds.Seeds.Count} seeds = {prompts * seeds.Seeds.Count} images" : $"{prompts} prompts";
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    protected override void OnInitialized()
    {
        _embeddings = Negatives.List();
        _ = PollAsync(_stop.Token);
    }

    private void OnNegativeChanged(NegativeChoice choice) => _negative = choice;

    private async Task LoadCsvAsync(InputFileChangeEventArgs e)
    {
        var file = e.File;
        if (file.Size > MaxCsvBytes)
        {
            Snackbar.Add($"The CSV is too large: {file.Size:N0} bytes, limit {MaxCsvBytes:N0}.", Severity.Warning);
            return;
        }

        using var reader = new StreamReader(file.OpenReadStream(MaxCsvBytes, _stop.Token));
        var prompts = BatchInput.PromptsFromCsv(await reader.ReadToEndAsync(_stop.Token));
        _promptText = string.Join('\n', prompts);
        Snackbar.Add($"{prompts.Count} prompts read from {file.Name}.", Severity.Info);
    }

    // builds the spec and checks it; null with _problems filled when it is not valid
    private BatchRenderSpec? Check()
    {
        var seeds = BatchInput.Seeds(_seedText, _random);
        var spec = new BatchRenderSpec(
            BatchInput.PromptsFromLines(_promptText), seeds.Seeds, _negative.Mode, _negative.Prompt, _negative.Embedding, _steps, _guidance, _sampler);
        var problems = seeds.Error is null ? spec.Validate().ToList() : [.. spec.Validate().Where(p => !p.StartsWith("seeds:", StringComparison.Ordinal)), seeds.Error];
        _problems = problems;
        return problems.Count == 0 ? spec : null;
    }

    private async Task SubmitAsync()
    {
        if (Check() is not { } spec)
        {
            return;
        }

        _submitting = true;
        try
        {
            var job = await Board.SubmitAsync(Kind, spec.ToJson(), _stop.Token);
            _job = new JobSnapshot(job, null, []);
            Snackbar.Add($"Queued {spec.Prompts.Count * spec.Seeds.Count} images.", Severity.Success);
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

    private async Task CancelAsync()
    {
        if (_job is not null)
        {
            await Board.CancelAsync(_job.Job.Id, _stop.Token);
            _job = await Board.GetAsync(_job.Job.Id, _stop.Token) ?? _job;
        }
    }

    private AssetRecord? Output(string slot) => _job?.Outputs.FirstOrDefault(a => a.Slot == slot);

    // follows the batch once a second until it is final, ended by Dispose
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
