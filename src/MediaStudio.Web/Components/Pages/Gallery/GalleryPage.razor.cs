using MediaStudio.Core.Assets;
using MediaStudio.Media.Images;
using MediaStudio.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;

namespace MediaStudio.Web.Components.Pages.Gallery;

/// <summary>The gallery: outputs and uploads with filters, a side panel with every setting, reuse, download, delete, upload.</summary>
public partial class GalleryPage
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

    /// <summary>Gets or sets an asset to open in the side panel.</summary>
    [SupplyParameterFromQuery(Name = "asset")]
    public Guid? Selected { get; set; }

    [Inject]
    private AssetLibrary Library { get; set; } = null!;

    [Inject]
    private IDialogService Dialogs { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    [Inject]
    private TimeProvider Clock { get; set; } = null!;

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
        _assets = await Library.ListImagesAsync(filter, CancellationToken.None);
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
