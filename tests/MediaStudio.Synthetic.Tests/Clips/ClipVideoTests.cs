using MediaStudio.Media.Images;
using MediaStudio.Media.Video;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Metrics;

namespace MediaStudio.Synthetic.Tests.Clips;

public sealed class ClipVideoTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mediastudio-clip-").FullName;

    [Fact]
    public async Task WriteAsync_ThenReadAsync_GivesTheClipBack()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(4, frameCount: 12));
        var video = new VideoCodec();

        var path = await ClipVideo.WriteAsync(clip, _folder, video, new SafeImageCodec(), TestContext.Current.CancellationToken);
        var frames = await ClipVideo.ReadAsync(path, video, TestContext.Current.CancellationToken);
        var edited = await ClipVideo.ReadAsync(Path.Combine(_folder, "edit.mp4"), video, TestContext.Current.CancellationToken);

        Assert.Equal(clip.Frames.Count, frames.Count);
        Assert.Equal(clip.Frames.Count, edited.Count);
        var psnr = frames.Zip(clip.Frames).Average(p => ImageMetrics.Psnr(p.First, p.Second));
        Assert.True(psnr >= 30, $"mean PSNR after the mp4 round trip: {psnr:F1} dB");
        Assert.True(File.Exists(Path.Combine(_folder, "reference.png")));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
