using System.Globalization;
using FFMpegCore;
using FFMpegCore.Exceptions;
using FFMpegCore.Pipes;
using MediaStudio.Media.Images;

namespace MediaStudio.Media.Video;

/// <summary>Encodes RGB frames to H.264 mp4 and decodes videos back to RGB frames through FFMpegCore.</summary>
/// <remarks>
/// Frames travel as raw rgb24 through FFMpegCore pipes. Every input file is probed first and bounded by
/// <see cref="VideoLimits"/>; ffmpeg and ffprobe only read local files (<c>-protocol_whitelist file</c>) in the
/// container formats named in <see cref="AllowedFormats"/>, so HLS, concat and image2 tricks are refused.
/// </remarks>
public sealed class VideoCodec
{
    /// <summary>The demuxers ffmpeg may use on an input file.</summary>
    public const string AllowedFormats = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm";

    private const string InputGuards = "-protocol_whitelist file -format_whitelist " + AllowedFormats;

    private readonly FFOptions _ffOptions;
    private readonly VideoLimits _limits;

    /// <summary>Creates a codec using the ffmpeg binaries in <paramref name="binaryFolder"/> (null: search PATH).</summary>
    public VideoCodec(string? binaryFolder = null, VideoLimits? limits = null)
    {
        _limits = limits ?? new VideoLimits();
        _limits.Validate();
        _ffOptions = new FFOptions
        {
            BinaryFolder = binaryFolder ?? FfmpegLocator.FindBinaryFolder(new FfmpegOptions(), Environment.GetEnvironmentVariable("PATH")),
        };
    }

    /// <summary>Encodes frames of equal size to an H.264 mp4 (near-lossless CRF).</summary>
    /// <remarks>
    /// Defaults to CRF 12 and yuv420p, which every player accepts and which needs even sides. With
    /// <paramref name="fullChroma"/> the video is yuv444p (High 4:4:4): no chroma subsampling, so small saturated
    /// objects keep their colours, as ground-truth clips need.
    /// </remarks>
    public async Task EncodeMp4Async(
        IReadOnlyList<RgbImage> frames, string path, double frameRate, CancellationToken cancellationToken, int crf = 12, bool fullChroma = false)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
        {
            throw new ArgumentException("a video needs at least one frame", nameof(frames));
        }

        var (width, height) = (frames[0].Width, frames[0].Height);
        if (frames.Any(f => f.Width != width || f.Height != height))
        {
            throw new ArgumentException($"all frames must be {width}x{height}", nameof(frames));
        }

        if (!fullChroma && (width % 2 != 0 || height % 2 != 0))
        {
            throw new ArgumentException($"H.264 yuv420p needs even sides, got {width}x{height}", nameof(frames));
        }

        if (frameRate is <= 0 or > 240)
        {
            throw new ArgumentException($"frame rate must be in (0, 240], got {frameRate}", nameof(frameRate));
        }

        var source = new RawVideoPipeSource(frames.Select(f => (IVideoFrame)new RgbVideoFrame(f))) { FrameRate = frameRate };
        try
        {
            var ok = await FFMpegArguments
                .FromPipeInput(source)
                .OutputToFile(path, overwrite: true, o => o
                    .WithVideoCodec("libx264")
                    .WithConstantRateFactor(crf)
                    .WithCustomArgument($"-pix_fmt {(fullChroma ? "yuv444p" : "yuv420p")} -preset veryfast -threads 1"))
                .ProcessAsynchronously(throwOnError: true, _ffOptions, cancellationToken);
            if (!ok.Success)
            {
                throw new MediaFormatException($"ffmpeg could not encode {frames.Count} frames to '{path}'");
            }
        }
        catch (FFMpegException e)
        {
            throw new MediaFormatException($"ffmpeg could not encode {frames.Count} frames to '{path}': {LastLine(e.Message)}", e);
        }
    }

    /// <summary>Probes a video file with ffprobe and checks it against the limits.</summary>
    /// <exception cref="MediaFormatException">The file is missing, empty, truncated, not a video, or over the limits.</exception>
    public async Task<VideoInfo> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new MediaFormatException($"video file '{path}' does not exist");
        }

        if (file.Length == 0)
        {
            throw new MediaFormatException("video file is empty (0 bytes)");
        }

        IMediaAnalysis analysis;
        try
        {
            analysis = await FFProbe.AnalyseAsync(file.FullName, _ffOptions, InputGuards, cancellationToken);
        }
        catch (Exception e) when (e is FFMpegException or FormatNullException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new MediaFormatException($"the video is truncated, damaged or not an accepted container ({AllowedFormats}): {LastLine(e.Message)}", e);
        }

        var stream = analysis.PrimaryVideoStream
            ?? throw new MediaFormatException("the file holds no video stream");
        var (width, height) = (stream.Width ?? 0, stream.Height ?? 0);
        if (width < 1 || height < 1 || width > _limits.MaxSide || height > _limits.MaxSide)
        {
            throw new MediaFormatException($"video is {width}x{height}; each side must be 1..{_limits.MaxSide}");
        }

        if (analysis.Duration > _limits.MaxDuration)
        {
            throw new MediaFormatException($"video lasts {analysis.Duration}, over the {_limits.MaxDuration} limit");
        }

        var rate = stream.AverageFrameRate > 0 ? stream.AverageFrameRate : stream.RealFrameRate;
        var frames = stream.Duration > TimeSpan.Zero && rate > 0
            ? (long)Math.Round(stream.Duration.TotalSeconds * rate)
            : 0;
        return new VideoInfo(width, height, rate, analysis.Duration, stream.CodecName ?? "unknown", frames);
    }

    /// <summary>Probes, then decodes every frame (up to the frame limit) to RGB.</summary>
    /// <exception cref="MediaFormatException">The file is rejected by the probe or ffmpeg fails to decode it.</exception>
    public async Task<IReadOnlyList<RgbImage>> DecodeAsync(string path, CancellationToken cancellationToken)
    {
        var info = await ProbeAsync(path, cancellationToken);
        using var sink = new MemoryStream();
        try
        {
            var ok = await FFMpegArguments
                .FromFileInput(Path.GetFullPath(path), verifyExists: true, o => o.WithCustomArgument(InputGuards))
                .OutputToPipe(new StreamPipeSink(sink), o => o
                    .ForceFormat("rawvideo")
                    .WithCustomArgument(string.Create(
                        CultureInfo.InvariantCulture, $"-pix_fmt rgb24 -frames:v {_limits.MaxFrames} -threads 1")))
                .ProcessAsynchronously(throwOnError: true, _ffOptions, cancellationToken);
            if (!ok.Success)
            {
                throw new MediaFormatException("ffmpeg could not decode the video");
            }
        }
        catch (FFMpegException e)
        {
            throw new MediaFormatException($"the video is truncated or damaged and could not be decoded: {LastLine(e.Message)}", e);
        }

        var frameBytes = info.Width * info.Height * 3;
        var bytes = sink.ToArray();
        if (bytes.Length == 0 || bytes.Length % frameBytes != 0)
        {
            throw new MediaFormatException(
                $"decoding gave {bytes.Length} bytes, not a whole number of {info.Width}x{info.Height} frames: the video is truncated or damaged");
        }

        var frames = new List<RgbImage>(bytes.Length / frameBytes);
        for (var offset = 0; offset < bytes.Length; offset += frameBytes)
        {
            frames.Add(new RgbImage(info.Width, info.Height, bytes.AsSpan(offset, frameBytes).ToArray()));
        }

        return frames;
    }

    private static string LastLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? message : lines[^1];
    }
}
