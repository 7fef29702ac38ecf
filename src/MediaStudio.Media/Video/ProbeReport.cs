using System.Globalization;
using FFMpegCore;

namespace MediaStudio.Media.Video;

/// <summary>The parts of ffprobe's report (read by FFMpegCore's <see cref="IMediaAnalysis"/>) the codec checks.</summary>
internal sealed record ProbeReport(string FormatName, TimeSpan Duration, int StreamCount, ProbeVideoStream? Video, bool HasAudio)
{
    /// <summary>Picks the checked facts out of FFMpegCore's analysis; a value ffprobe left out or gave as nonsense reads as 0.</summary>
    public static ProbeReport From(IMediaAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var raw = analysis.Raw?.Streams ?? [];
        var video = analysis.VideoStreams
            .Where(stream => !(stream.Disposition?.TryGetValue("attached_pic", out var cover) == true && Convert.ToBoolean(cover, CultureInfo.InvariantCulture)))
            .Select(stream => new ProbeVideoStream(
                stream.CodecName ?? "unknown",
                stream.Width ?? 0,
                stream.Height ?? 0,
                Finite(stream.AverageFrameRate),
                Finite(stream.RealFrameRate),
                stream.Duration > TimeSpan.Zero ? stream.Duration : TimeSpan.Zero,
                FrameCount(raw.FirstOrDefault(r => r.Index == stream.Index))))
            .FirstOrDefault();
        var format = analysis.Format;
        var count = Math.Max(format?.StreamCount ?? 0, raw.Count);
        var duration = format is not null && format.Duration > TimeSpan.Zero ? format.Duration : TimeSpan.Zero;
        return new ProbeReport(format?.FormatName ?? string.Empty, duration, count, video, analysis.AudioStreams.Count > 0);
    }

    private static double Finite(double rate) => double.IsFinite(rate) && rate > 0 ? rate : 0;

    /// <summary>The container's frame count (<c>nb_frames</c>, which FFMpegCore keeps among the stream's extra fields), or 0.</summary>
    private static long FrameCount(FFProbeStream? stream) =>
        stream?.ExtensionData is { } extra && extra.TryGetValue("nb_frames", out var value)
            && long.TryParse(value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var frames) && frames > 0
            ? frames
            : 0;
}

/// <summary>The first (non-cover-art) video stream of a probe report.</summary>
internal sealed record ProbeVideoStream(string Codec, int Width, int Height, double AverageFrameRate, double RealFrameRate, TimeSpan Duration, long FrameCount);
