using System.Globalization;
using System.Text.Json;

namespace MediaStudio.Media.Video;

/// <summary>The parts of ffprobe's JSON report (<c>-show_format -show_streams</c>) the codec checks.</summary>
internal sealed record ProbeReport(string FormatName, TimeSpan Duration, int StreamCount, ProbeVideoStream? Video, bool HasAudio)
{
    /// <summary>Reads ffprobe's JSON output.</summary>
    /// <exception cref="JsonException">The output is not ffprobe's JSON.</exception>
    public static ProbeReport Parse(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (!root.TryGetProperty("format", out var format))
        {
            throw new JsonException("ffprobe reported no format section");
        }

        var streams = root.TryGetProperty("streams", out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : [];
        ProbeVideoStream? video = null;
        var hasAudio = false;
        foreach (var stream in streams)
        {
            var type = Text(stream, "codec_type");
            var attachedPicture = stream.TryGetProperty("disposition", out var disposition)
                && disposition.TryGetProperty("attached_pic", out var pic) && pic.ValueKind == JsonValueKind.Number && pic.GetInt32() == 1;
            if (type == "video" && video is null && !attachedPicture)
            {
                video = new ProbeVideoStream(
                    Text(stream, "codec_name") ?? "unknown",
                    Integer(stream, "width"),
                    Integer(stream, "height"),
                    Rate(Text(stream, "avg_frame_rate")),
                    Rate(Text(stream, "r_frame_rate")),
                    Seconds(Text(stream, "duration")),
                    Long(Text(stream, "nb_frames")));
            }

            hasAudio |= type == "audio";
        }

        var count = format.TryGetProperty("nb_streams", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt32() : streams.Count;
        return new ProbeReport(Text(format, "format_name") ?? string.Empty, Seconds(Text(format, "duration")), Math.Max(count, streams.Count), video, hasAudio);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int Integer(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i) ? i : 0;

    private static long Long(string? text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : 0;

    private static TimeSpan Seconds(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && double.IsFinite(s) && s > 0 && s < 1e9
            ? TimeSpan.FromSeconds(s)
            : TimeSpan.Zero;

    private static double Rate(string? text)
    {
        var parts = (text ?? string.Empty).Split('/');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var num)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var den)
            && den > 0 && num > 0)
        {
            return num / den;
        }

        return 0;
    }
}

/// <summary>The first (non-cover-art) video stream of a probe report.</summary>
internal sealed record ProbeVideoStream(string Codec, int Width, int Height, double AverageFrameRate, double RealFrameRate, TimeSpan Duration, long FrameCount);
