using System.Globalization;
using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;
using MediaStudio.Diffusion.Video.Pipelines;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.VideoEditing;
using MediaStudio.Media.Images;
using MediaStudio.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.JSInterop;
using MudBlazor;

namespace MediaStudio.Web.Components.Pages.VideoEdit;

/// <summary>
/// The Video edit page: a streamed video upload checked by the hardened probe, frame 1 on a canvas where the object is
/// marked (brush, box, eraser, undo, zoom; drawn by <c>js/video-edit.js</c> and sent as one mask PNG), a reference image
/// uploaded or picked from Gallery, the settings, then the <c>video-edit</c> job with live progress and the result as two
/// synced players with downloads.
/// </summary>
public sealed partial class VideoEditPage : IAsyncDisposable
{
    /// <summary>How many recent Gallery images the reference picker offers.</summary>
    public const int ReferenceChoices = 24;

    private readonly CancellationTokenSource _stop = new();
    private readonly string _editorId = Guid.NewGuid().ToString("N");
    private IJSObjectReference? _module;
    private DotNetObjectReference<VideoEditPage>? _self;
    private ElementReference _maskHost;
    private ElementReference _originalPlayer;
    private ElementReference _editedPlayer;
    private bool _editorPending;
    private bool _playersPending;

    private AssetRecord? _video;
    private AssetRecord? _firstFrame;
    private string? _videoError;
    private bool _uploadingVideo;
    private (int Width, int Height)? _frame;
    private string? _frameError;
    private int _maskPixels;
    private string _tool = "brush";
    private int _brush = 12;
    private double _zoom = 1;

    private IReadOnlyList<AssetRecord> _gallery = [];
    private AssetRecord? _reference;
    private string? _referenceError;

    private int _steps = 20;
    private double _guidance = 3;
    private long _seed;
    private double _frameRate = 8;
    private bool _pasteBack = true;
    private EditMaskShape _maskShape = EditMaskShape.Box;
    private bool _submitting;
    private string? _submitError;

    private JobSnapshot? _job;
    private AssetRecord? _edited;
    private AssetRecord? _original;
    private AssetRecord? _sideBySide;

    [Inject]
    private AssetLibrary Library { get; set; } = null!;

    [Inject]
    private JobBoard Board { get; set; } = null!;

    [Inject]
    private IJSRuntime JS { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    [Inject]
    private TimeProvider Clock { get; set; } = null!;

    private bool CanSubmit => !_submitting && _video is not null && _frame is not null && _maskPixels > 0 && _reference is not null
        && _job?.Job.Status.IsFinal() != false;

    private string SubmitHint =>
        _video is null ? "Upload a video first."
        : _frame is null ? "Waiting for frame 1…"
        : _maskPixels == 0 ? "Mark the object on frame 1 (brush or box)."
        : _reference is null ? "Choose a reference image."
        : "An edit is running.";

    private string VideoFacts => _video is null ? string.Empty : string.Create(CultureInfo.InvariantCulture,
        $"{_video.FileName}: {_video.Width}×{_video.Height}, {_video.DurationSeconds:0.0#} s, {_video.SizeBytes / (double)(1 << 20):0.##} MB");

    private string MaskStatus =>
        _frameError is not null ? _frameError
        : _frame is null ? "Loading frame 1…"
        : _maskPixels == 0 ? string.Create(CultureInfo.InvariantCulture, $"Frame 1 ({_frame.Value.Width}×{_frame.Value.Height}): nothing marked yet.")
        : string.Create(CultureInfo.InvariantCulture, $"Frame 1 ({_frame.Value.Width}×{_frame.Value.Height}): {_maskPixels:N0} pixels marked ({100.0 * _maskPixels / (_frame.Value.Width * _frame.Value.Height):0.#}%).");

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        if (_module is not null)
        {
            try
            {
                await _module.InvokeVoidAsync("dispose", _editorId);
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // the circuit is gone, and the browser's objects with it
            }
        }

        _self?.Dispose();
    }

    /// <summary>Called by the canvas script when frame 1 is drawn.</summary>
    [JSInvokable]
    public Task FrameReady(int width, int height) => InvokeAsync(() =>
    {
        _frame = (width, height);
        _frameError = null;
        StateHasChanged();
    });

    /// <summary>Called by the canvas script when the browser cannot show the video.</summary>
    [JSInvokable]
    public Task FrameFailed(string message) => InvokeAsync(() =>
    {
        _frameError = message;
        StateHasChanged();
    });

    /// <summary>Called by the canvas script after each stroke or box with the marked pixel count.</summary>
    [JSInvokable]
    public Task MaskChanged(int markedPixels) => InvokeAsync(() =>
    {
        _maskPixels = markedPixels;
        StateHasChanged();
    });

    protected override async Task OnInitializedAsync()
    {
        await LoadGalleryAsync();
        _ = PollAsync(_stop.Token);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_editorPending && _firstFrame is not null)
        {
            _editorPending = false;
            var module = await ModuleAsync();
            _self ??= DotNetObjectReference.Create(this);
            await module.InvokeVoidAsync("init", _editorId, _maskHost, $"api/assets/{_firstFrame.Id}/content", _self);
            await module.InvokeVoidAsync("setTool", _editorId, _tool);
            await module.InvokeVoidAsync("setBrush", _editorId, _brush);
        }

        if (_playersPending && _edited is not null)
        {
            _playersPending = false;
            await (await ModuleAsync()).InvokeVoidAsync("syncPlayers", _originalPlayer, _editedPlayer);
        }
    }

    private async Task<IJSObjectReference> ModuleAsync() =>
        _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/video-edit.js");

    private async Task LoadGalleryAsync()
    {
        var recent = await Library.ListAsync(new GalleryFilter(Take: ReferenceChoices * 2), _stop.Token);
        _gallery = recent.Where(a => a.MediaType.StartsWith("image/", StringComparison.Ordinal)).Take(ReferenceChoices).ToList();
    }

    private async Task UploadVideoAsync(InputFileChangeEventArgs e)
    {
        _videoError = null;
        var file = e.File;
        if (file.Size > Library.VideoUploads.MaxBytes)
        {
            _videoError = string.Create(CultureInfo.InvariantCulture, $"{file.Name}: too large: {file.Size / (double)(1 << 20):0.#} MB, limit {Library.VideoUploads.LimitText}");
            return;
        }

        _uploadingVideo = true;
        try
        {
            await using var content = file.OpenReadStream(Library.VideoUploads.MaxBytes, _stop.Token);
            var upload = await Library.UploadVideoAsync(content, file.Name, _stop.Token);
            _video = upload.Video;
            _firstFrame = upload.FirstFrame;
            _frame = null;
            _frameError = null;
            _maskPixels = 0;
            _zoom = 1;
            _editorPending = true;
            Snackbar.Add($"{file.Name} uploaded.", Severity.Success);
        }
        catch (VideoRejectedException ex)
        {
            _videoError = $"{file.Name} was refused: {ex.Message}";
        }
        catch (IOException ex)
        {
            _videoError = $"{file.Name}: the upload broke off ({ex.Message})";
        }
        finally
        {
            _uploadingVideo = false;
        }
    }

    private async Task UploadReferenceAsync(InputFileChangeEventArgs e)
    {
        _referenceError = null;
        var file = e.File;
        if (file.Size > Library.Inspector.Options.MaxBytes)
        {
            _referenceError = string.Create(CultureInfo.InvariantCulture, $"{file.Name}: too large: {file.Size / (double)(1 << 20):0.#} MB, limit {Library.Inspector.ByteLimitText}");
            return;
        }

        try
        {
            await using var content = file.OpenReadStream(Library.Inspector.Options.MaxBytes, _stop.Token);
            _reference = await Library.UploadImageAsync(content, file.Name, _stop.Token);
            await LoadGalleryAsync();
        }
        catch (ImageRejectedException ex)
        {
            _referenceError = $"{file.Name}: {ex.Message}";
        }
    }

    private async Task SetToolAsync(string tool)
    {
        _tool = tool;
        await (await ModuleAsync()).InvokeVoidAsync("setTool", _editorId, tool);
    }

    private async Task SetBrushAsync(int size)
    {
        _brush = size;
        await (await ModuleAsync()).InvokeVoidAsync("setBrush", _editorId, size);
    }

    private async Task ZoomAsync(double factor)
    {
        _zoom = Math.Clamp(_zoom * factor, 0.25, 8);
        await (await ModuleAsync()).InvokeVoidAsync("setZoom", _editorId, _zoom);
    }

    private async Task UndoAsync() => _maskPixels = await (await ModuleAsync()).InvokeAsync<int>("undo", _editorId);

    private async Task ClearMaskAsync()
    {
        await (await ModuleAsync()).InvokeVoidAsync("clear", _editorId);
        _maskPixels = 0;
    }

    private async Task SubmitAsync()
    {
        if (!CanSubmit)
        {
            return;
        }

        _submitting = true;
        _submitError = null;
        try
        {
            var png = await (await ModuleAsync()).InvokeAsync<IJSStreamReference?>("exportMask", _stop.Token, _editorId);
            if (png is null)
            {
                _submitError = "Mark the object on frame 1 first.";
                return;
            }

            AssetRecord mask;
            await using (png)
            await using (var stream = await png.OpenReadStreamAsync(Library.Inspector.Options.MaxBytes, _stop.Token))
            {
                mask = await Library.UploadImageAsync(stream, "mask.png", AssetLibrary.InputSlotPrefix + "mask", _stop.Token);
            }

            var spec = new VideoEditSpec(_video!.Id, mask.Id, _reference!.Id, _steps, _guidance, _seed, _pasteBack, _frameRate, MaskShape: _maskShape);
            var job = await Board.SubmitAsync(VideoEditSpec.Kind, spec.ToJson(), _stop.Token);
            _job = await Board.GetAsync(job.Id, _stop.Token);
            _edited = null;
            _original = null;
            _sideBySide = null;
        }
        catch (JobInputException ex)
        {
            _submitError = ex.Message;
        }
        catch (ImageRejectedException ex)
        {
            _submitError = $"the mask was refused: {ex.Message}";
        }
        finally
        {
            _submitting = false;
        }
    }

    private async Task CancelAsync()
    {
        if (_job is { } job)
        {
            await Board.CancelAsync(job.Job.Id, _stop.Token);
            _job = await Board.GetAsync(job.Job.Id, _stop.Token) ?? job;
        }
    }

    // follows the running edit once a second, ended by DisposeAsync
    private async Task PollAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (_job is not { } job || job.Job.Status.IsFinal())
                {
                    continue;
                }

                var fresh = await Board.GetAsync(job.Job.Id, cancellationToken) ?? job;
                await InvokeAsync(() =>
                {
                    _job = fresh;
                    if (fresh.Job.Status == JobStatus.Succeeded)
                    {
                        _edited = fresh.Outputs.FirstOrDefault(a => a.Slot == "video");
                        _sideBySide = fresh.Outputs.FirstOrDefault(a => a.Slot == "side-by-side");
                        _original = fresh.Outputs.FirstOrDefault(a => a.Slot == "preview-original");
                        _playersPending = _edited is not null;
                    }

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
}
