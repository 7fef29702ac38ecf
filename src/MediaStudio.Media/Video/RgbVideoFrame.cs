using FFMpegCore.Pipes;
using MediaStudio.Media.Images;

namespace MediaStudio.Media.Video;

/// <summary>Feeds one <see cref="RgbImage"/> to ffmpeg as a raw rgb24 frame.</summary>
internal sealed class RgbVideoFrame(RgbImage image) : IVideoFrame
{
    public int Width => image.Width;

    public int Height => image.Height;

#pragma warning disable CA1822 // Interface member of FFMpegCore's IVideoFrame.
    public string Format => "rgb24";

    public string PixelFormat => "rgb24";
#pragma warning restore CA1822

    public void Serialize(Stream pipe) => pipe.Write(image.Pixels, 0, image.Pixels.Length);

    public Task SerializeAsync(Stream pipe, CancellationToken token) => pipe.WriteAsync(image.Pixels, 0, image.Pixels.Length, token);
}
