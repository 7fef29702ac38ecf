using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;
using MediaStudio.Jobs.Captions;
using MediaStudio.Jobs.Execution;
using MediaStudio.Media.Images;
using MediaStudio.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;

namespace MediaStudio.Web.Components.Pages.Gallery;

/// <summary>The gallery: outputs and uploads with filters, a side panel with every setting, reuse, download, delete, upload.</summary>
public sealed partial class GalleryPage : IDisposable
{
    /// <summary>The most files one upload takes.</summary>
    public const int MaxFilesPerUpload = 20;

    private IReadOnlyList<AssetRecord>? _assets;
    private AssetRecord? _selected;
    private string _kind = "all";
    private int _days;
    private string? _text;
    private string? _uploadError;
    private bool _uploading;
    private Guid? _captioning;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Gets or sets an asset to open in the side panel.</summary>
    [SupplyParameterFromQuery(Name = "asset")]
    public Guid? Selected { get; set; }

    [Inject]
    private AssetLibrary Library { get; set; } = null!;

    [Inject]
    private JobBoard Board { get; set; } = null!;

    [Inject]
    private IDialogService Dialogs { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    [Inject]
    private TimeProvider Clock { get; set; } = null!;

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        if (Selected is { } id)
        {
            _selected = _assets?.FirstOrDefault(a => a.Id == id) ?? await Library.FindAsync(id, CancellationToken.None);
        }
    }

    private async Task KindChangedAsync(string kind)
    {
        _kind = kind;
        await LoadAsync();
    }

    private async Task DaysChangedAsync(int days)
    {
        _days = days;
        await LoadAsync();
    }

    private async Task TextChangedAsync(string? text)
    {
        _text = text;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        var filter = new GalleryFilter(
            _kind switch { "output" => AssetKind.Output, "upload" => AssetKind.Upload, _ => null },
            _text,
            _days > 0 ? Clock.GetUtcNow().AddDays(-_days) : null);
        _assets = await Library.ListAsync(filter, CancellationToken.None);
    }

    private async Task UploadAsync(InputFileChangeEventArgs e)
    {
        _uploading = true;
        _uploadError = null;
        var problems = new List<string>();
        var stored = 0;
        try
        {
            foreach (var file in e.GetMultipleFiles(MaxFilesPerUpload))
            {
                if (file.Size > Library.Inspector.Options.MaxBytes)
                {
                    problems.Add($"{file.Name}: too large: {file.Size / (double)(1 << 20):0.#} MB, limit {Library.Inspector.ByteLimitText}");
                    continue;
                }

                try
                {
                    await using var content = file.OpenReadStream(Library.Inspector.Options.MaxBytes);
                    await Library.UploadImageAsync(content, file.Name, CancellationToken.None);
                    stored++;
                }
                catch (ImageRejectedException ex)
                {
                    problems.Add($"{file.Name}: {ex.Message}");
                }
            }
        }
        catch (InvalidOperationException ex)
        {
            problems.Add(ex.Message); // more files than allowed at once
        }
        finally
        {
            _uploading = false;
        }

        if (problems.Count > 0)
        {
            _uploadError = string.Join("\n", problems);
            Snackbar.Add(problems.Count == 1 ? problems[0] : $"{problems.Count} files were refused", Severity.Error);
        }

        if (stored > 0)
        {
            Snackbar.Add(stored == 1 ? "Image uploaded." : $"{stored} images uploaded.", Severity.Success);
            await LoadAsync();
        }
    }

    // queues a caption job for the open asset, then follows it until the caption is stored
    private async Task CaptionAsync()
    {
        if (_selected is not { } asset || _captioning is not null)
        {
            return;
        }

        try
        {
            var job = await Board.SubmitAsync(CaptionSpec.Kind, new CaptionSpec([asset.Id]).ToJson(), _stop.Token);
            _captioning = job.Id;
            Snackbar.Add("Captioning queued.", Severity.Info);
            _ = FollowCaptionAsync(job.Id, asset.Id, _stop.Token);
        }
        catch (JobInputException ex)
        {
            Snackbar.Add($"Cannot caption: {ex.Message}", Severity.Error);
        }
    }

    private async Task FollowCaptionAsync(Guid jobId, Guid assetId, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var job = await Board.GetAsync(jobId, cancellationToken);
                if (job is null || !job.Job.Status.IsFinal())
                {
                    continue;
                }

                var fresh = await Library.FindAsync(assetId, cancellationToken);
                await InvokeAsync(async () =>
                {
                    _captioning = null;
                    if (job.Job.Status != JobStatus.Succeeded)
                    {
                        Snackbar.Add($"Captioning {job.Job.Status.ToString().ToLowerInvariant()}: {job.Job.Error}", Severity.Error);
                    }

                    if (fresh is not null && _selected?.Id == assetId)
                    {
                        _selected = fresh;
                    }

                    await LoadAsync();
                    StateHasChanged();
                });
                return;
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

    private async Task DeleteAsync()
    {
        if (_selected is not { } asset)
        {
            return;
        }

        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Delete image?",
            $"{asset.FileName ?? asset.Slot ?? "This image"} will be removed from the gallery. This cannot be undone.",
            yesText: "Delete",
            cancelText: "Keep");
        if (confirmed != true)
        {
            return;
        }

        await Library.DeleteAsync(asset.Id, CancellationToken.None);
        _selected = null;
        Snackbar.Add("Image deleted.", Severity.Info);
        await LoadAsync();
    }
}
