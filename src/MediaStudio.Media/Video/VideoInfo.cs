namespace MediaStudio.Media.Video;

/// <summary>What ffprobe reports about a video file's first video stream.</summary>
public sealed record VideoInfo(int Width, int Height, double FrameRate, TimeSpan Duration, string Codec, long FrameCount);
