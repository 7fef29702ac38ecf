namespace MediaStudio.Media.Video;

/// <summary>What ffprobe reports about a video file: its first video stream, the container and whether audio is present.</summary>
/// <param name="Width">Width of the first video stream in pixels.</param>
/// <param name="Height">Height of the first video stream in pixels.</param>
/// <param name="FrameRate">Average frame rate in frames per second.</param>
/// <param name="Duration">Container duration.</param>
/// <param name="Codec">ffmpeg's name of the video codec, e.g. h264.</param>
/// <param name="FrameCount">Frame count from the container, or duration × rate when the container does not say; 0 if unknown.</param>
/// <param name="HasAudio">Whether the file holds at least one audio stream.</param>
/// <param name="StreamCount">Number of streams of every kind in the container.</param>
/// <param name="Container">ffmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm".</param>
public sealed record VideoInfo(
    int Width, int Height, double FrameRate, TimeSpan Duration, string Codec, long FrameCount, bool HasAudio = false, int StreamCount = 1, string Container = "");
