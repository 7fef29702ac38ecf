using System.Globalization;
using System.Text.Json;
using MediaStudio.Core.Assets;
using MediaStudio.Core.Persistence;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Models;
using MediaStudio.Language.Captioning;
using MediaStudio.Media.Images;
using MediaStudio.Media.Video;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MediaStudio.Jobs.Captions;

/// <summary>
/// The <c>caption</c> job kind: describes gallery assets with the bundled captioner and stores each caption on its asset
/// row, where the gallery shows and searches it. Images get an image caption, videos a motion caption of their frames.
/// Assets deleted since the job was queued are skipped; a job whose assets are all gone fails with that in words.
/// </summary>
public sealed class CaptionHandler(
    ModelRegistry registry, IOptions<ModelRegistryOptions> models, IServiceScopeFactory scopes, IBlobStore blobs, SafeImageCodec images, VideoCodec videos) : IJobHandler
{
    public const string KindName = CaptionSpec.Kind;

    private readonly CaptionerAccess _captioner = new(registry, models.Value.Path);

    public string Kind => KindName;

    public string Queue => Queues.Default;

    public IReadOnlyList<string> Validate(string specJson)
    {
        CaptionSpec spec;
        try
        {
            spec = CaptionSpec.Parse(specJson);
        }
        catch (JsonException e)
        {
            return [$"spec: not valid JSON for {KindName} ({e.Message})"];
        }

        var problems = spec.Validate().ToList();
        if (!_captioner.IsInstalled)
        {
            problems.Add($"captioner: the captioner model is not installed (no config.json and model.safetensors in {_captioner.Folder})");
        }

        return problems;
    }

    public async Task RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var spec = CaptionSpec.Parse(execution.Job.SpecJson);
        var owner = execution.Job.OwnerId;
        List<AssetRecord> assets;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
            assets = await db.Assets.AsNoTracking().Where(a => spec.AssetIds.Contains(a.Id) && a.OwnerId == owner).ToListAsync(cancellationToken);
        }

        assets = assets.Where(a => IsImage(a) || IsVideo(a)).Where(a => spec.Overwrite || a.Caption is null).OrderBy(a => Order(spec, a.Id)).ToList();
        if (assets.Count == 0)
        {
            // nothing left to describe: every asset was deleted, captioned already (without overwrite) or is not an image or video
            await execution.Progress.ReportAsync("nothing to caption", 1, null, cancellationToken);
            return;
        }

        await execution.Progress.ReportAsync("loading the captioner", 0, null, cancellationToken);
        using var lease = await _captioner.AcquireAsync(cancellationToken);
        var options = new GenerationOptions { MaxNewTokens = spec.MaxNewTokens, Seed = spec.Seed };
        for (var i = 0; i < assets.Count; i++)
        {
            var asset = assets[i];
            await execution.Progress.ReportAsync(string.Create(CultureInfo.InvariantCulture, $"captioning {i + 1} of {assets.Count}"), (double)i / assets.Count, null, cancellationToken);
            var caption = IsVideo(asset)
                ? await CaptionVideoAsync(lease.Model, asset, options, cancellationToken)
                : await CaptionImageAsync(lease.Model, asset, options, cancellationToken);
            await StoreAsync(asset.Id, caption, cancellationToken);
        }

        await execution.Progress.ReportAsync("done", 1, null, cancellationToken);
    }

    /// <summary>Trims a caption to one line of at most <see cref="AssetRecord.MaxCaptionLength"/> characters, cut at a word boundary.</summary>
    public static string Clean(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        var text = string.Join(' ', caption.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (text.Length <= AssetRecord.MaxCaptionLength)
        {
            return text;
        }

        var cut = text.LastIndexOf(' ', AssetRecord.MaxCaptionLength - 1);
        return text[..(cut > 0 ? cut : AssetRecord.MaxCaptionLength)];
    }

    private static int Order(CaptionSpec spec, Guid id)
    {
        for (var i = 0; i < spec.AssetIds.Count; i++)
        {
            if (spec.AssetIds[i] == id)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private static bool IsImage(AssetRecord asset) => asset.MediaType.StartsWith("image/", StringComparison.Ordinal);

    private static bool IsVideo(AssetRecord asset) => asset.MediaType.StartsWith("video/", StringComparison.Ordinal);

    private async Task<string> CaptionImageAsync(CaptionPipeline captioner, AssetRecord asset, GenerationOptions options, CancellationToken cancellationToken)
    {
        await using var stream = blobs.OpenRead(asset.Sha256);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        copy.Position = 0;
        RgbImage image;
        try
        {
            image = images.Decode(copy);
        }
        catch (MediaFormatException e)
        {
            throw new JobInputException($"asset {asset.Id} ({asset.FileName ?? asset.Slot}): {e.Message}", e);
        }

        return await Task.Run(() => captioner.CaptionImages([image], options, cancellationToken)[0], cancellationToken);
    }

    private async Task<string> CaptionVideoAsync(CaptionPipeline captioner, AssetRecord asset, GenerationOptions options, CancellationToken cancellationToken)
    {
        // ffmpeg reads files only, so the blob is copied out under a neutral name first
        var temp = Path.Combine(Path.GetTempPath(), $"mediastudio-caption-{Guid.NewGuid():N}.mp4");
        try
        {
            await using (var source = blobs.OpenRead(asset.Sha256))
            await using (var target = File.Create(temp))
            {
                await source.CopyToAsync(target, cancellationToken);
            }

            IReadOnlyList<RgbImage> frames;
            try
            {
                frames = await videos.DecodeAsync(temp, cancellationToken);
            }
            catch (MediaFormatException e)
            {
                throw new JobInputException($"asset {asset.Id} ({asset.FileName ?? asset.Slot}): {e.Message}", e);
            }

            return await Task.Run(() => captioner.CaptionClip(frames, options, cancellationToken), cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private async Task StoreAsync(Guid assetId, string caption, CancellationToken cancellationToken)
    {
        var text = Clean(caption);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        await db.Assets.Where(a => a.Id == assetId).ExecuteUpdateAsync(s => s.SetProperty(a => a.Caption, text), cancellationToken);
    }
}
