using MediaStudio.Media.Images;
using MediaStudio.Media.Video;

namespace MediaStudio.Web.Services;

/// <summary>Decodes frame 1 of an uploaded video, and nothing more: a codec whose frame limit is one, resampling at the
/// source's own rate (a lower rate would make ffmpeg's fps filter keep a later frame in place of the first).</summary>
public sealed class FirstFrameReader(VideoCodec oneFrameCodec, double maxFrameRate)
{
    /// <summary>Creates a reader over the ffmpeg in <paramref name="binaryFolder"/>, with the studio's limits except that at
    /// most one frame is decoded.</summary>
    public static FirstFrameReader Create(string binaryFolder, VideoLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var one = new VideoLimits
        {
            MaxSide = limits.MaxSide,
            MaxFrames = 1,
            MaxDuration = limits.MaxDuration,
            MaxFrameRate = limits.MaxFrameRate,
            MaxStreams = limits.MaxStreams,
            MaxDecodedBytes = limits.MaxDecodedBytes,
            ProbeTimeout = limits.ProbeTimeout,
            Timeout = limits.Timeout,
        };
        return new FirstFrameReader(new VideoCodec(binaryFolder, one), limits.MaxFrameRate);
    }

    /// <summary>Frame 1 of the (already probed) video at <paramref name="width"/> x <paramref name="height"/>.</summary>
    /// <exception cref="MediaFormatException">ffmpeg refuses or cannot decode the file.</exception>
    public async Task<RgbImage> ReadAsync(string path, VideoInfo info, int width, int height, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(info);
        var rate = info.FrameRate is > 0 && double.IsFinite(info.FrameRate) ? Math.Min(info.FrameRate, maxFrameRate) : Math.Min(30, maxFrameRate);
        var frames = await oneFrameCodec.DecodeResampledAsync(path, width, height, rate, cancellationToken);
        return frames.Count > 0 ? frames[0] : throw new MediaFormatException("no frame could be decoded");
    }
}
