using System.Text.Json;
using MediaStudio.Core.Assets;
using MediaStudio.Core.Hosting;
using MediaStudio.Core.Owners;
using MediaStudio.Core.Persistence;
using MediaStudio.Media.Images;
using MediaStudio.Media.Images.Metadata;
using MediaStudio.Media.Video;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MediaStudio.Web.Services;

/// <summary>The studio's images as people see them: upload (checked, then stored under a generated name), browse,
/// open with or without metadata, delete. Shared by the REST API and the pages; each call uses its own scope, so a
/// page's timer and its buttons never share a database context.</summary>
public sealed class AssetLibrary(
    IServiceScopeFactory scopes, IBlobStore blobs, ImageInspector inspector, VideoCodec videos, FirstFrameReader firstFrames, IOptions<StorageOptions> storage, IOptions<VideoUploadOptions> videoUploads, TimeProvider clock)
{
    /// <summary>The slot prefix of uploads that are a job's inputs (a video to edit, a mask) rather than gallery items.</summary>
    public const string InputSlotPrefix = "input-";

    /// <summary>The video file extensions accepted and their media types (the probe still checks the container).</summary>
    public static readonly IReadOnlyDictionary<string, string> VideoExtensions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".mp4"] = "video/mp4",
        [".webm"] = "video/webm",
        [".mov"] = "video/quicktime",
        [".mkv"] = "video/x-matroska",
    };

    /// <summary>The longer side of the frame-1 image a video upload keeps for the mask canvas.</summary>
    public const int FirstFrameMaxSide = 640;

    /// <summary>The longest display name kept for an upload.</summary>
    public const int MaxFileNameLength = 120;

    /// <summary>Gets the checks applied to uploads (limits for messages).</summary>
    public ImageInspector Inspector => inspector;

    /// <summary>Gets the limits on video uploads.</summary>
    public VideoUploadOptions VideoUploads => videoUploads.Value;

    /// <summary>Stores an uploaded image after the hardened checks. The bytes stream to a temporary file (never held whole
    /// in memory), are inspected there, and only then become a blob and a row; a rejected upload leaves neither.</summary>
    /// <exception cref="ImageRejectedException">The image is unsupported, too large or damaged.</exception>
    public Task<AssetRecord> UploadImageAsync(Stream content, string? fileName, CancellationToken cancellationToken) =>
        UploadImageAsync(content, fileName, slot: null, cancellationToken);

    /// <summary>Stores an uploaded image as <see cref="UploadImageAsync(Stream, string?, CancellationToken)"/> does, under a
    /// slot: one starting with <see cref="InputSlotPrefix"/> marks a job input (a mask) that stays out of the gallery.</summary>
    /// <exception cref="ImageRejectedException">The image is unsupported, too large or damaged.</exception>
    public async Task<AssetRecord> UploadImageAsync(Stream content, string? fileName, string? slot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var staging = Directory.CreateDirectory(Path.Combine(storage.Value.DataPath, "uploads-staging")).FullName;
        var temp = Path.Combine(staging, $"{Guid.NewGuid():N}.part");
        await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        var buffer = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (file.Length + read > inspector.Options.MaxBytes)
            {
                throw new ImageRejectedException(ImageRejection.TooLarge, $"too large: more than {inspector.ByteLimitText}, limit {inspector.ByteLimitText}");
            }

            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        file.Position = 0;
        var facts = inspector.Inspect(file);
        file.Position = 0;
        var settings = ReadSettings(file, facts);
        file.Position = 0;
        var blob = await blobs.PutAsync(file, inspector.Options.MaxBytes, cancellationToken);

        var asset = new AssetRecord
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            OwnerId = Owner.Local,
            Kind = AssetKind.Upload,
            MediaType = facts.MediaType,
            Sha256 = blob.Sha256,
            SizeBytes = blob.SizeBytes,
            Width = facts.Width,
            Height = facts.Height,
            FileName = CleanFileName(fileName, $"upload.{facts.Format.ToLowerInvariant()}"),
            MetadataJson = settings,
            Slot = slot,
            CreatedAt = clock.GetUtcNow(),
        };
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        db.Assets.Add(asset);
        await db.SaveChangesAsync(cancellationToken);
        return asset;
    }

    /// <summary>Stores an uploaded video as a job input (slot <c>input-video</c>, so it stays out of the gallery). The bytes
    /// stream to a temporary file under the size limit, the hardened probe checks container, streams, size and duration
    /// there, and only then do they become a blob and a row; a rejected upload leaves neither.</summary>
    /// <remarks>Frame 1 is decoded here too, at most <see cref="FirstFrameMaxSide"/> pixels on its longer side, and stored as a
    /// PNG (slot <c>input-frame</c>): the page draws it on the mask canvas whatever the browser can play.</remarks>
    /// <exception cref="VideoRejectedException">The file is too large, not an accepted container, damaged or over the limits.</exception>
    public async Task<VideoUpload> UploadVideoAsync(Stream content, string? fileName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var mediaType = VideoMediaType(fileName)
            ?? throw new VideoRejectedException($"not an accepted video: the name must end in {string.Join(", ", VideoExtensions.Keys)}");
        var staging = Directory.CreateDirectory(Path.Combine(storage.Value.DataPath, "uploads-staging")).FullName;
        var temp = Path.Combine(staging, $"{Guid.NewGuid():N}{Path.GetExtension(fileName)!.ToLowerInvariant()}");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    if (file.Length + read > VideoUploads.MaxBytes)
                    {
                        throw new VideoRejectedException($"too large: more than {VideoUploads.LimitText}");
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            VideoInfo info;
            try
            {
                info = await videos.ProbeAsync(temp, cancellationToken);
            }
            catch (MediaFormatException e)
            {
                throw new VideoRejectedException(e.Message, e);
            }

            if (info.Duration > VideoUploads.MaxDuration)
            {
                throw new VideoRejectedException($"too long: {info.Duration.TotalSeconds:0.#} s, limit {VideoUploads.MaxDuration.TotalSeconds:0} s");
            }

            var (frameWidth, frameHeight) = FirstFrameSize(info.Width, info.Height);
            RgbImage first;
            try
            {
                first = await firstFrames.ReadAsync(temp, info, frameWidth, frameHeight, cancellationToken);
            }
            catch (MediaFormatException e)
            {
                throw new VideoRejectedException(e.Message, e);
            }

            BlobInfo blob;
            await using (var file = File.OpenRead(temp))
            {
                blob = await blobs.PutAsync(file, VideoUploads.MaxBytes, cancellationToken);
            }

            using var png = new MemoryStream();
            new SafeImageCodec().EncodePng(first, png);
            png.Position = 0;
            var frameBlob = await blobs.PutAsync(png, inspector.Options.MaxBytes, cancellationToken);

            var asset = new AssetRecord
            {
                Id = Guid.CreateVersion7(clock.GetUtcNow()),
                OwnerId = Owner.Local,
                Kind = AssetKind.Upload,
                MediaType = mediaType,
                Sha256 = blob.Sha256,
                SizeBytes = blob.SizeBytes,
                Width = info.Width,
                Height = info.Height,
                DurationSeconds = info.Duration.TotalSeconds,
                FileName = CleanFileName(fileName, "upload.mp4"),
                Slot = InputSlotPrefix + "video",
                CreatedAt = clock.GetUtcNow(),
            };
            var frame = new AssetRecord
            {
                Id = Guid.CreateVersion7(clock.GetUtcNow()),
                OwnerId = Owner.Local,
                Kind = AssetKind.Upload,
                MediaType = "image/png",
                Sha256 = frameBlob.Sha256,
                SizeBytes = frameBlob.SizeBytes,
                Width = first.Width,
                Height = first.Height,
                FileName = Path.GetFileNameWithoutExtension(asset.FileName) + "-frame-1.png",
                Slot = InputSlotPrefix + "frame",
                CreatedAt = clock.GetUtcNow(),
            };
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
            db.Assets.AddRange(asset, frame);
            await db.SaveChangesAsync(cancellationToken);
            return new VideoUpload(asset, frame);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The size frame 1 is shown (and the mask drawn) at: the source's, scaled down to at most
    /// <see cref="FirstFrameMaxSide"/> on the longer side.</summary>
    public static (int Width, int Height) FirstFrameSize(int width, int height)
    {
        var scale = Math.Min(1.0, (double)FirstFrameMaxSide / Math.Max(width, height));
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    /// <summary>The media type of an accepted video file name, or null.</summary>
    public static string? VideoMediaType(string? fileName) =>
        VideoExtensions.TryGetValue(Path.GetExtension(fileName ?? string.Empty).ToLowerInvariant(), out var type) ? type : null;

    /// <summary>Finds one of the local owner's assets.</summary>
    public async Task<AssetRecord?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        return await db.Assets.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.OwnerId == Owner.Local, cancellationToken);
    }

    /// <summary>Lists images and videos (outputs and uploads), newest first, matching the filter.</summary>
    /// <remarks>The text matches the settings (prompt, sampler, ...), the caption or the file name.</remarks>
    public async Task<IReadOnlyList<AssetRecord>> ListAsync(GalleryFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        // progress previews are not results, job inputs are not the person's images: slots "preview", "preview-…" and
        // "input-…" stay out of the gallery
        var query = db.Assets.AsNoTracking()
            .Where(a => a.OwnerId == Owner.Local && (a.MediaType.StartsWith("image/") || a.MediaType.StartsWith("video/")))
            .Where(a => a.Slot == null || (a.Slot != "preview" && !a.Slot.StartsWith("preview-") && !a.Slot.StartsWith(InputSlotPrefix)));
        if (filter.Kind is { } kind)
        {
            query = query.Where(a => a.Kind == kind);
        }

        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            var text = filter.Text.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // EF translates ToLower().Contains to SQL on both engines; the StringComparison overload is not translatable
            query = query.Where(a => (a.MetadataJson != null && a.MetadataJson.ToLower().Contains(text))
                || (a.Caption != null && a.Caption.ToLower().Contains(text))
                || (a.FileName != null && a.FileName.ToLower().Contains(text)));
#pragma warning restore CA1862
        }

        var rows = await query.OrderByDescending(a => a.Id).Take(filter.Take).ToListAsync(cancellationToken);
        // date bounds in memory: SQLite cannot order or compare DateTimeOffset columns
        return rows
            .Where(a => filter.From is not { } from || a.CreatedAt >= from)
            .Where(a => filter.Until is not { } until || a.CreatedAt < until)
            .ToList();
    }

    /// <summary>Deletes an asset's row; its blob stays, since content addressing may share it with other rows.</summary>
    /// <returns>False when there is no such asset.</returns>
    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        return await db.Assets.Where(a => a.Id == id && a.OwnerId == Owner.Local).ExecuteDeleteAsync(cancellationToken) == 1;
    }

    /// <summary>Opens an asset's bytes; with <paramref name="stripMetadata"/> a PNG loses its text, EXIF and time chunks.</summary>
    /// <exception cref="FileNotFoundException">The blob is missing.</exception>
    public async Task<Stream> OpenContentAsync(AssetRecord asset, bool stripMetadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(asset);
        var stream = blobs.OpenRead(asset.Sha256);
        if (!stripMetadata || asset.MediaType != "image/png")
        {
            return stream;
        }

        await using (stream)
        {
            var copy = new MemoryStream();
            await Task.Run(() => PngTextChunks.Strip(stream, copy), cancellationToken);
            copy.Position = 0;
            return copy;
        }
    }

    // the settings an uploaded PNG carries (ours or A1111's), so the gallery shows them and "reuse settings" works
    private static string? ReadSettings(Stream file, ImageFacts facts)
    {
        if (facts.Format != "PNG")
        {
            return null;
        }

        try
        {
            var settings = ImageSettings.Read(file);
            if (settings.Studio is { } studio)
            {
                return GenerationSettings.ToMetadataJson(studio);
            }

            return settings.Info is { } info ? JsonSerializer.Serialize(new { parameters = info.ToString() }) : null;
        }
        catch (MediaFormatException)
        {
            return null;
        }
    }

    private static string CleanFileName(string? fileName, string fallback)
    {
        var name = Path.GetFileName(fileName ?? string.Empty);
        name = new string(name.Where(c => !char.IsControl(c) && c is not ('"' or '\\' or '/')).ToArray()).Trim();
        if (name.Length == 0)
        {
            name = fallback;
        }

        return name.Length > MaxFileNameLength ? name[^MaxFileNameLength..] : name;
    }
}
