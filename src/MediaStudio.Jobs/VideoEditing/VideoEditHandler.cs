using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaStudio.Core.Assets;
using MediaStudio.Core.Persistence;
using MediaStudio.Diffusion.Video.Pipelines;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Models;
using MediaStudio.Media.Images;
using MediaStudio.Media.Video;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MediaStudio.Jobs.VideoEditing;

/// <summary>
/// The <c>video-edit</c> job kind: decodes the uploaded clip at the editor's size and frame rate, propagates the frame-1
/// mask and replaces the object with the reference's appearance chunk by chunk (<see cref="VideoEditPipeline"/>), then
/// publishes the edited clip ("video", H.264 with the source's audio), the original beside it ("side-by-side") and the
/// resampled original alone ("preview-original", for the page's synced players; kept out of Gallery like previews).
/// The video's metadata records the settings, so it shows them in Gallery.
/// </summary>
public sealed class VideoEditHandler(
    ModelRegistry registry, IOptions<ModelRegistryOptions> models, IServiceScopeFactory scopes, IBlobStore blobs, SafeImageCodec images, VideoCodec videos,
    TimeProvider clock) : IJobHandler
{
    public const string KindName = VideoEditSpec.Kind;

    private const string RegistryKey = "video-editor";

    public string Kind => KindName;

    public string Queue => Queues.Render;

    public IReadOnlyList<string> Validate(string specJson)
    {
        VideoEditSpec spec;
        try
        {
            spec = VideoEditSpec.Parse(specJson);
        }
        catch (JsonException e)
        {
            return [$"spec: not valid JSON for {KindName} ({e.Message})"];
        }

        var problems = spec.Validate().ToList();
        var editor = Path.Combine(models.Value.Path, VideoEditPipeline.EditorFolder, "config.json");
        if (!File.Exists(editor))
        {
            problems.Add($"model: the video editor is not installed (no {editor})");
        }

        return problems;
    }

    public async Task RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var spec = VideoEditSpec.Parse(execution.Job.SpecJson);
        var work = Directory.CreateTempSubdirectory("mediastudio-video-edit-").FullName;
        try
        {
            await execution.Progress.ReportAsync("reading the inputs", 0, null, cancellationToken);
            var (video, mask, reference) = await LoadInputsAsync(execution.Job.OwnerId, spec, cancellationToken);
            var source = Path.Combine(work, "source" + Extension(video.MediaType));
            await CopyBlobAsync(video, source, cancellationToken);

            VideoInfo info;
            IReadOnlyList<RgbImage> frames;
            (int Width, int Height) size;
            try
            {
                info = await videos.ProbeAsync(source, cancellationToken);
                size = spec.WorkSize(info.Width, info.Height);
                var expected = info.Duration.TotalSeconds * spec.FrameRate;
                if (expected > VideoEditSpec.MaxFrames + 1)
                {
                    throw new JobInputException(string.Create(CultureInfo.InvariantCulture,
                        $"video: {info.Duration.TotalSeconds:0.#} s at {spec.FrameRate:0.##} fps is {expected:0} frames, more than the {VideoEditSpec.MaxFrames} one edit takes; trim the clip or lower the frame rate"));
                }

                await execution.Progress.ReportAsync("decoding", 0.01, null, cancellationToken);
                frames = await videos.DecodeResampledAsync(source, size.Width, size.Height, spec.FrameRate, cancellationToken);
            }
            catch (MediaFormatException e)
            {
                throw new JobInputException($"video: {e.Message}", e);
            }

            if (frames.Count == 0)
            {
                throw new JobInputException("video: no frame could be decoded");
            }

            var firstMask = await MaskAsync(mask, size.Width, size.Height, cancellationToken);
            var referenceImage = await DecodeImageAsync(reference, "referenceAssetId", cancellationToken);

            await execution.Progress.ReportAsync("loading models", 0.02, null, cancellationToken);
            using var lease = await registry.AcquireAsync(RegistryKey, token => Task.Run(() =>
            {
                var pipeline = VideoEditPipeline.Load(models.Value.Path);
                var bytes = new[] { VideoEditPipeline.EditorFolder, VideoEditPipeline.MotionFolder, VideoEditPipeline.MotionReferenceFolder }
                    .Sum(name => FolderBytes(Path.Combine(models.Value.Path, name)));
                return new LoadedModel<VideoEditPipeline>(pipeline, bytes);
            }, token), cancellationToken);

            var request = new VideoEditRequest(frames, firstMask, referenceImage, spec.Steps, (float)spec.Guidance, spec.Seed, spec.PasteBack, MaskShape: spec.MaskShape);
            var progress = new EditProgress();
            var edited = await progress.RunAsync(execution, () => lease.Model.Edit(request, progress, cancellationToken), 0.03, 0.87, clock, cancellationToken);

            await execution.Progress.ReportAsync("encoding", 0.9, null, cancellationToken);
            var editedPath = Path.Combine(work, "edited.mp4");
            var sideBySidePath = Path.Combine(work, "side-by-side.mp4");
            var originalPath = Path.Combine(work, "original.mp4");
            try
            {
                await videos.EncodeMp4Async(edited, editedPath, spec.FrameRate, cancellationToken, audioFrom: source);
                // the source as the editor saw it (same size, rate and frames), so the page's two players stay in step
                await videos.EncodeMp4Async(frames, originalPath, spec.FrameRate, cancellationToken, audioFrom: source);
                await videos.EncodeSideBySideAsync(frames, edited, sideBySidePath, spec.FrameRate, cancellationToken, audioFrom: source);
            }
            catch (MediaFormatException e)
            {
                throw new InvalidOperationException($"encoding the edited video failed: {e.Message}", e);
            }

            await execution.Progress.ReportAsync("saving", 0.97, null, cancellationToken);
            var duration = edited.Count / spec.FrameRate;
            var name = Path.GetFileNameWithoutExtension(video.FileName ?? "video");
            var metadata = Metadata(spec, video, edited.Count, size, Versions()).ToJsonString();
            await using (var stream = File.OpenRead(editedPath))
            {
                await execution.PublishOutputAsync("video", stream, "video/mp4", new OutputFacts($"{name}-edited.mp4", size.Width, size.Height, duration, metadata), cancellationToken);
            }

            await using (var stream = File.OpenRead(sideBySidePath))
            {
                await execution.PublishOutputAsync("side-by-side", stream, "video/mp4", new OutputFacts($"{name}-side-by-side.mp4", size.Width * 2, size.Height, duration, metadata), cancellationToken);
            }

            await using (var stream = File.OpenRead(originalPath))
            {
                await execution.PublishOutputAsync("preview-original", stream, "video/mp4", new OutputFacts($"{name}-original.mp4", size.Width, size.Height, duration), cancellationToken);
            }

            await execution.Progress.ReportAsync("done", 1, null, cancellationToken);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The asset metadata of an edited video: its settings, inputs, size and model versions.</summary>
    public static JsonObject Metadata(VideoEditSpec spec, AssetRecord source, int frames, (int Width, int Height) size, IReadOnlyDictionary<string, string> versions)
    {
        var json = JsonNode.Parse(spec.ToJson())!.AsObject();
        json["kind"] = KindName;
        json["source"] = source.FileName;
        json["frames"] = frames;
        json["size"] = string.Create(CultureInfo.InvariantCulture, $"{size.Width}x{size.Height}");
        json["models"] = new JsonObject(versions.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        return json;
    }

    /// <summary>Turns a mask image into the editor's frame-1 mask: <paramref name="width"/> x <paramref name="height"/> bytes,
    /// 255 where the (nearest-sampled) pixel is bright, 0 elsewhere.</summary>
    public static byte[] Binarize(RgbImage mask, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var bytes = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            var sy = Math.Min(mask.Height - 1, (int)((y + 0.5) * mask.Height / height));
            for (var x = 0; x < width; x++)
            {
                var sx = Math.Min(mask.Width - 1, (int)((x + 0.5) * mask.Width / width));
                var o = mask.Offset(sx, sy);
                bytes[(y * width) + x] = mask.Pixels[o] + mask.Pixels[o + 1] + mask.Pixels[o + 2] >= 3 * 128 ? (byte)255 : (byte)0;
            }
        }

        return bytes;
    }

    private static string Extension(string mediaType) => mediaType switch
    {
        "video/webm" => ".webm",
        "video/quicktime" => ".mov",
        "video/x-matroska" => ".mkv",
        _ => ".mp4",
    };

    private static long FolderBytes(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.safetensors").Sum(f => new FileInfo(f).Length) : 0;

    private async Task<(AssetRecord Video, AssetRecord Mask, AssetRecord Reference)> LoadInputsAsync(string owner, VideoEditSpec spec, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        var ids = new[] { spec.VideoAssetId, spec.MaskAssetId, spec.ReferenceAssetId };
        var rows = await db.Assets.AsNoTracking().Where(a => ids.Contains(a.Id) && a.OwnerId == owner).ToListAsync(cancellationToken);
        AssetRecord Find(Guid id, string field, string prefix) =>
            rows.FirstOrDefault(a => a.Id == id) is { } row
                ? row.MediaType.StartsWith(prefix, StringComparison.Ordinal) ? row : throw new JobInputException($"{field}: asset {id} is {row.MediaType}, not {prefix}*")
                : throw new JobInputException($"{field}: no asset {id}; it may have been deleted");
        return (Find(spec.VideoAssetId, "videoAssetId", "video/"), Find(spec.MaskAssetId, "maskAssetId", "image/"), Find(spec.ReferenceAssetId, "referenceAssetId", "image/"));
    }

    private async Task CopyBlobAsync(AssetRecord asset, string path, CancellationToken cancellationToken)
    {
        await using var source = blobs.OpenRead(asset.Sha256);
        await using var target = File.Create(path);
        await source.CopyToAsync(target, cancellationToken);
    }

    private async Task<RgbImage> DecodeImageAsync(AssetRecord asset, string field, CancellationToken cancellationToken)
    {
        await using var source = blobs.OpenRead(asset.Sha256);
        using var copy = new MemoryStream();
        await source.CopyToAsync(copy, cancellationToken);
        copy.Position = 0;
        try
        {
            return images.Decode(copy);
        }
        catch (MediaFormatException e)
        {
            throw new JobInputException($"{field}: {e.Message}", e);
        }
    }

    private async Task<byte[]> MaskAsync(AssetRecord asset, int width, int height, CancellationToken cancellationToken)
    {
        var mask = Binarize(await DecodeImageAsync(asset, "maskAssetId", cancellationToken), width, height);
        return mask.Any(b => b != 0) ? mask : throw new JobInputException("maskAssetId: the mask is empty; mark the object on frame 1");
    }

    private Dictionary<string, string> Versions()
    {
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in new[] { VideoEditPipeline.EditorFolder, VideoEditPipeline.MotionFolder, VideoEditPipeline.MotionReferenceFolder })
        {
            // the motion modules are optional: a folder that is not installed has no version
            var folder = Path.Combine(models.Value.Path, name);
            if (File.Exists(Path.Combine(folder, Neural.Checkpoints.Sha256Manifest.FileName))
                && Neural.Checkpoints.Sha256Manifest.Read(folder).TryGetValue(Neural.Checkpoints.ModelFolder.WeightsFileName, out var sha))
            {
                versions[name] = sha[..12];
            }
        }

        return versions;
    }
}
