using System.Globalization;
using System.Text.Json;
using FFMpegCore;
using FFMpegCore.Enums;
using FFMpegCore.Exceptions;
using MediaStudio.Media.Images;

namespace MediaStudio.Media.Video;

/// <summary>Probes, decodes and encodes videos with ffmpeg, hardened for untrusted files.</summary>
/// <remarks>
/// <para>
/// Every input file must carry an allowed extension (<see cref="AllowedExtensions"/>) and the magic bytes of an
/// ISO-BMFF (mp4, mov) or Matroska (mkv, webm) container; it is probed before any decode and bounded by
/// <see cref="VideoLimits"/> (sides, duration, frame rate, stream count, decoded bytes). ffmpeg and ffprobe read it with
/// <c>-protocol_whitelist file,pipe</c> and <c>-format_whitelist</c> <see cref="AllowedFormats"/>, so HLS playlists,
/// concat lists and image2 patterns are refused even when renamed. Every call has a wall-clock limit, and its process
/// is killed on cancellation, timeout or host shutdown. Outputs are written to a temporary file and moved into place
/// only on success, so a rejected input changes nothing.
/// </para>
/// <para>
/// Probing and decoding go through FFMpegCore (<see cref="FFProbe"/>, <see cref="FFMpegArguments"/>): ffprobe's report
/// is read by its analysis model, and frames are decoded to a size-capped (<c>-fs</c>) raw file in a private temporary
/// folder. FFMpegCore builds one quoted argument string, so a path holding a quote or a backslash is refused before
/// it gets there. Encoding feeds frames from memory through ffmpeg's stdin (<see cref="FfmpegProcess"/>) instead:
/// FFMpegCore's pipe input is a Unix domain socket on Linux, which needs the <c>unix</c> protocol and, by FFMpegCore's
/// own README, ffmpeg 8.0 or newer there (Debian 12 ships 5.1).
/// </para>
/// </remarks>
public sealed class VideoCodec
{
    /// <summary>The demuxers ffmpeg may use on an input file.</summary>
    public const string AllowedFormats = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm";

    /// <summary>The file extensions accepted as video input.</summary>
    public static readonly IReadOnlyList<string> AllowedExtensions = [".mp4", ".webm", ".mov", ".mkv"];

    private static readonly string[] InputGuards =
        ["-protocol_whitelist", "file,pipe", "-format_whitelist", AllowedFormats, "-probesize", "5000000", "-analyzeduration", "10000000"];

    private static readonly string[] IsoBoxes = ["ftyp", "moov", "mdat", "wide", "free", "skip", "pnot"];

    private readonly string _ffmpeg;
    private readonly FFOptions _ffOptions;
    private readonly VideoLimits _limits;

    /// <summary>Creates a codec using the ffmpeg binaries in <paramref name="binaryFolder"/> (null: search PATH).</summary>
    public VideoCodec(string? binaryFolder = null, VideoLimits? limits = null)
    {
        _limits = limits ?? new VideoLimits();
        _limits.Validate();
        var folder = binaryFolder ?? FfmpegLocator.FindBinaryFolder(new FfmpegOptions(), Environment.GetEnvironmentVariable("PATH"));
        _ffmpeg = Path.Combine(folder, "ffmpeg");
        _ffOptions = new FFOptions { BinaryFolder = folder, TemporaryFilesFolder = Path.GetTempPath(), LogLevel = FFMpegLogLevel.Error };
    }

    /// <summary>Encodes frames of equal size to a browser-playable H.264 mp4 (<c>+faststart</c>), optionally with another file's audio.</summary>
    /// <remarks>
    /// Defaults to CRF 12 and yuv420p, which every player accepts and which needs even sides. With
    /// <paramref name="fullChroma"/> the video is yuv444p (High 4:4:4): no chroma subsampling, so small saturated
    /// objects keep their colours, as ground-truth clips need (browsers may not play it). With
    /// <paramref name="audioFrom"/> the first audio stream of that (probed, untrusted) file is encoded to AAC and cut
    /// to the video's length; a source without audio gives a silent video.
    /// </remarks>
    /// <exception cref="ArgumentException">No frames, unequal sizes, odd sides for yuv420p or a bad frame rate.</exception>
    /// <exception cref="MediaFormatException">The audio source is rejected or ffmpeg fails; the target is left untouched.</exception>
    public async Task EncodeMp4Async(
        IReadOnlyList<RgbImage> frames,
        string path,
        double frameRate,
        CancellationToken cancellationToken,
        int crf = 12,
        bool fullChroma = false,
        string? audioFrom = null)
    {
        var (width, height) = CheckFrames(frames, nameof(frames));
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!fullChroma && (width % 2 != 0 || height % 2 != 0))
        {
            throw new ArgumentException($"H.264 yuv420p needs even sides, got {width}x{height}", nameof(frames));
        }

        if (frameRate is <= 0 or > 240 || !double.IsFinite(frameRate))
        {
            throw new ArgumentException($"frame rate must be in (0, 240], got {frameRate}", nameof(frameRate));
        }

        if (crf is < 0 or > 51)
        {
            throw new ArgumentException($"CRF must be in 0..51, got {crf}", nameof(crf));
        }

        if (audioFrom is not null)
        {
            await ProbeAsync(audioFrom, cancellationToken).ConfigureAwait(false);
        }

        var target = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileNameWithoutExtension(target)}.{Guid.NewGuid():N}.tmp.mp4");
        List<string> arguments =
        [
            "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}", "-framerate", Invariant(frameRate),
            "-protocol_whitelist", "pipe", "-i", "pipe:0",
        ];
        if (audioFrom is not null)
        {
            arguments.AddRange(InputGuards);
            arguments.AddRange(["-i", FileUrl(audioFrom)]);
        }

        arguments.AddRange(["-map", "0:v:0"]);
        if (audioFrom is not null)
        {
            arguments.AddRange(["-map", "1:a:0?", "-c:a", "aac", "-b:a", "128k", "-shortest"]);
        }

        arguments.AddRange(
        [
            "-c:v", "libx264", "-preset", "veryfast", "-crf", Invariant(crf), "-pix_fmt", fullChroma ? "yuv444p" : "yuv420p",
            "-threads", "1", "-movflags", "+faststart", "-f", "mp4", "file:" + temporary,
        ]);

        try
        {
            var result = await FfmpegProcess.RunAsync(
                _ffmpeg,
                arguments,
                async (stdin, token) =>
                {
                    foreach (var frame in frames)
                    {
                        await stdin.WriteAsync(frame.Pixels, token).ConfigureAwait(false);
                    }
                },
                maxOutputBytes: 1 << 20,
                _limits.Timeout,
                cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new MediaFormatException($"ffmpeg could not encode {frames.Count} frames: {result.LastErrorLine}");
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Encodes original | edited side by side (left and right frames of equal size and count) to a browser-playable mp4.</summary>
    /// <remarks>An odd height is padded by repeating the last row, so the result always has even sides.</remarks>
    /// <exception cref="ArgumentException">The two lists differ in count or frame size.</exception>
    /// <exception cref="MediaFormatException">The audio source is rejected or ffmpeg fails; the target is left untouched.</exception>
    public Task EncodeSideBySideAsync(
        IReadOnlyList<RgbImage> left,
        IReadOnlyList<RgbImage> right,
        string path,
        double frameRate,
        CancellationToken cancellationToken,
        string? audioFrom = null)
    {
        var (width, height) = CheckFrames(left, nameof(left));
        var (rightWidth, rightHeight) = CheckFrames(right, nameof(right));
        if (left.Count != right.Count)
        {
            throw new ArgumentException($"side by side needs as many right frames as left ones, got {left.Count} and {right.Count}", nameof(right));
        }

        if ((rightWidth, rightHeight) != (width, height))
        {
            throw new ArgumentException($"right frames are {rightWidth}x{rightHeight}, left frames {width}x{height}; they must match", nameof(right));
        }

        var outHeight = height + (height % 2);
        var combined = new List<RgbImage>(left.Count);
        for (var t = 0; t < left.Count; t++)
        {
            var frame = new RgbImage(2 * width, outHeight);
            for (var y = 0; y < outHeight; y++)
            {
                var sourceY = Math.Min(y, height - 1);
                var row = width * 3;
                Array.Copy(left[t].Pixels, sourceY * row, frame.Pixels, y * 2 * row, row);
                Array.Copy(right[t].Pixels, sourceY * row, frame.Pixels, (y * 2 * row) + row, row);
            }

            combined.Add(frame);
        }

        return EncodeMp4Async(combined, path, frameRate, cancellationToken, crf: 18, audioFrom: audioFrom);
    }

    /// <summary>Probes a video file with ffprobe and checks it against the allow-lists and limits.</summary>
    /// <exception cref="MediaFormatException">
    /// The file is missing, empty, of a refused extension or container (playlists, concat lists), truncated, not a
    /// video, or over a limit; the message says which.
    /// </exception>
    public async Task<VideoInfo> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        CheckInputFile(path);
        using var limit = Limit(_limits.ProbeTimeout, cancellationToken);
        IMediaAnalysis analysis;
        try
        {
            analysis = await FFProbe.AnalyseAsync(Path.GetFullPath(path), _ffOptions, string.Join(' ', InputGuards), limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw FfmpegProcess.TimedOut("ffprobe", _limits.ProbeTimeout);
        }
        catch (FFProbeProcessException e)
        {
            throw new MediaFormatException(
                $"the video is truncated, damaged or not an accepted container ({string.Join(", ", AllowedExtensions)}): {FfmpegProcess.LastLine(e.StandardError)}", e);
        }
        catch (Exception e) when (e is JsonException or FormatException or OverflowException or ArgumentException or IndexOutOfRangeException
            or InvalidOperationException or KeyNotFoundException or FFMpegException)
        {
            throw new MediaFormatException("ffprobe's report could not be read: the video is damaged", e);
        }

        return Check(ProbeReport.From(analysis));
    }

    /// <summary>Probes, then decodes every frame (up to the frame limit) to RGB at the file's own size.</summary>
    /// <exception cref="MediaFormatException">The file is rejected by the probe or ffmpeg fails to decode it.</exception>
    public async Task<IReadOnlyList<RgbImage>> DecodeAsync(string path, CancellationToken cancellationToken)
    {
        var info = await ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        return await DecodeFramesAsync(path, info, info.Width, info.Height, filter: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Probes, then decodes resampled to <paramref name="width"/> x <paramref name="height"/> and <paramref name="frameRate"/> fps.</summary>
    /// <remarks>
    /// The fps filter drops or repeats frames to hit the rate (timestamps kept), then an area scale resizes each frame to
    /// exactly the requested size; the aspect ratio is not preserved, so callers pick a size matching the model's input.
    /// </remarks>
    /// <exception cref="ArgumentException">A size or rate out of range.</exception>
    /// <exception cref="MediaFormatException">The file is rejected by the probe or ffmpeg fails to decode it.</exception>
    public async Task<IReadOnlyList<RgbImage>> DecodeResampledAsync(string path, int width, int height, double frameRate, CancellationToken cancellationToken)
    {
        if (width < 1 || height < 1 || width > _limits.MaxSide || height > _limits.MaxSide)
        {
            throw new ArgumentException($"the resampled size must be 1..{_limits.MaxSide} per side, got {width}x{height}", nameof(width));
        }

        if (!(frameRate > 0) || frameRate > _limits.MaxFrameRate)
        {
            throw new ArgumentException($"the resampled frame rate must be in (0, {_limits.MaxFrameRate}], got {frameRate}", nameof(frameRate));
        }

        var info = await ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        var filter = string.Create(CultureInfo.InvariantCulture, $"fps={frameRate:R},scale={width}:{height}:flags=area");
        return await DecodeFramesAsync(path, info, width, height, filter, cancellationToken).ConfigureAwait(false);
    }

    private static (int Width, int Height) CheckFrames(IReadOnlyList<RgbImage> frames, string name)
    {
        ArgumentNullException.ThrowIfNull(frames, name);
        if (frames.Count == 0)
        {
            throw new ArgumentException("a video needs at least one frame", name);
        }

        var (width, height) = (frames[0].Width, frames[0].Height);
        if (frames.Any(f => f.Width != width || f.Height != height))
        {
            throw new ArgumentException($"all frames must be {width}x{height}", name);
        }

        return (width, height);
    }

    private static void CheckInputFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var file = new FileInfo(path);
        if (file.FullName.Any(c => c is '"' or '\\' || char.IsControl(c)))
        {
            throw new MediaFormatException("the video's file path holds a quote, a backslash or a control character; rename the file");
        }

        if (!AllowedExtensions.Contains(file.Extension.ToLowerInvariant()))
        {
            throw new MediaFormatException($"'{file.Extension}' files are not accepted; upload one of {string.Join(", ", AllowedExtensions)}");
        }

        if (!file.Exists)
        {
            throw new MediaFormatException($"video file '{file.Name}' does not exist");
        }

        if (file.Length == 0)
        {
            throw new MediaFormatException("video file is empty (0 bytes)");
        }

        Span<byte> head = stackalloc byte[12];
        int read;
        using (var stream = file.OpenRead())
        {
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        var matroska = read >= 4 && head[0] == 0x1A && head[1] == 0x45 && head[2] == 0xDF && head[3] == 0xA3;
        var isoBox = read >= 8 && IsoBoxes.Contains(System.Text.Encoding.ASCII.GetString(head[4..8]));
        if (!matroska && !isoBox)
        {
            throw new MediaFormatException(
                "the file does not start like an mp4, mov, mkv or webm container (playlists, concat lists and other formats are refused)");
        }
    }

    private static string FileUrl(string path) => "file:" + Path.GetFullPath(path);

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The call's token: the caller's, the host's shutdown and the wall-clock limit together.</summary>
    private static CancellationTokenSource Limit(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, FfmpegProcess.Stopping);
        limit.CancelAfter(timeout);
        return limit;
    }

    private async Task<IReadOnlyList<RgbImage>> DecodeFramesAsync(
        string path, VideoInfo info, int width, int height, string? filter, CancellationToken cancellationToken)
    {
        var frameBytes = (long)width * height * 3;
        var frameCap = (int)Math.Min(_limits.MaxFrames, Math.Max(1, _limits.MaxDecodedBytes / frameBytes));
        var maxBytes = frameCap * frameBytes;
        var folder = Directory.CreateTempSubdirectory("mediastudio-decode-");
        var raw = Path.Combine(folder.FullName, "frames.rgb");
        byte[] bytes;
        try
        {
            using var limit = Limit(_limits.Timeout, cancellationToken);
            var processor = FFMpegArguments
                .FromFileInput(FileUrl(path), verifyExists: false, input => input.WithCustomArgument($"-xerror {string.Join(' ', InputGuards)}"))
                .OutputToFile(raw, overwrite: true, output =>
                {
                    output.WithCustomArgument("-map 0:v:0");
                    if (filter is not null)
                    {
                        output.WithCustomArgument($"-vf {filter}");
                    }

                    output.WithCustomArgument(string.Create(
                        CultureInfo.InvariantCulture, $"-frames:v {frameCap} -fs {maxBytes} -threads 1 -f rawvideo -pix_fmt rgb24"));
                })
                .CancellableThrough(FfmpegProcess.Stopping, TimeSpan.Zero);
            FFMpegResult result;
            try
            {
                result = await processor.ProcessAsynchronously(throwOnError: false, _ffOptions, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw FfmpegProcess.TimedOut("ffmpeg", _limits.Timeout);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (result.Cancelled)
            {
                throw FfmpegProcess.TimedOut("ffmpeg", _limits.Timeout);
            }

            if (!result.Success)
            {
                throw new MediaFormatException($"the video is truncated or damaged and could not be decoded: {FfmpegProcess.LastLine(result.StandardError)}");
            }

            var length = File.Exists(raw) ? new FileInfo(raw).Length : 0;
            if (length > maxBytes)
            {
                throw FfmpegProcess.Overflowed("ffmpeg", maxBytes);
            }

            bytes = length == 0 ? [] : await File.ReadAllBytesAsync(raw, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        if (bytes.Length == 0 || bytes.Length % frameBytes != 0)
        {
            throw new MediaFormatException(
                $"decoding gave {bytes.Length} bytes, not a whole number of {width}x{height} frames: the video is truncated or damaged");
        }

        if (filter is null && info.FrameCount > 0 && bytes.Length / frameBytes < Math.Min(info.FrameCount, frameCap) * 9 / 10)
        {
            throw new MediaFormatException(
                $"decoding gave {bytes.Length / frameBytes} of the {info.FrameCount} frames the container lists: the video is truncated");
        }

        var frames = new List<RgbImage>((int)(bytes.Length / frameBytes));
        for (long offset = 0; offset < bytes.Length; offset += frameBytes)
        {
            frames.Add(new RgbImage(width, height, bytes.AsSpan((int)offset, (int)frameBytes).ToArray()));
        }

        return frames;
    }

    private VideoInfo Check(ProbeReport report)
    {
        var allowed = AllowedFormats.Split(',');
        if (report.FormatName.Split(',').Any(name => !allowed.Contains(name)))
        {
            throw new MediaFormatException($"container '{report.FormatName}' is not accepted; upload one of {string.Join(", ", AllowedExtensions)}");
        }

        if (report.StreamCount > _limits.MaxStreams)
        {
            throw new MediaFormatException($"the file holds {report.StreamCount} streams, over the limit of {_limits.MaxStreams}");
        }

        var video = report.Video ?? throw new MediaFormatException("the file holds no video stream");
        if (video.Width < 1 || video.Height < 1 || video.Width > _limits.MaxSide || video.Height > _limits.MaxSide)
        {
            throw new MediaFormatException($"video is {video.Width}x{video.Height}; each side must be 1..{_limits.MaxSide}");
        }

        if (report.Duration > _limits.MaxDuration)
        {
            throw new MediaFormatException($"video lasts {report.Duration:g}, over the {_limits.MaxDuration:g} limit");
        }

        var rate = video.AverageFrameRate > 0 ? video.AverageFrameRate : video.RealFrameRate;
        if (rate > _limits.MaxFrameRate)
        {
            throw new MediaFormatException(string.Create(
                CultureInfo.InvariantCulture, $"video runs at {rate:0.##} fps, over the {_limits.MaxFrameRate:0.##} fps limit"));
        }

        var duration = video.Duration > TimeSpan.Zero ? video.Duration : report.Duration;
        var frames = video.FrameCount > 0
            ? video.FrameCount
            : duration > TimeSpan.Zero && rate > 0 ? (long)Math.Round(duration.TotalSeconds * rate) : 0;
        return new VideoInfo(video.Width, video.Height, rate, report.Duration, video.Codec, frames, report.HasAudio, report.StreamCount, report.FormatName);
    }
}
