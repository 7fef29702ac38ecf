using MediaStudio.Media.Images;
using MediaStudio.Media.Video;

namespace MediaStudio.Media.Tests.Video;

public sealed class VideoCodecTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mediastudio-video-").FullName;
    private readonly VideoCodec _codec = new();

    [Fact]
    public async Task EncodeMp4_ThenDecode_GivesTheFramesBack()
    {
        var frames = Enumerable.Range(0, 12).Select(t => TestFrames.Gradient(64, 48, t)).ToList();
        var path = Path.Combine(_folder, "clip.mp4");

        await _codec.EncodeMp4Async(frames, path, 8, TestContext.Current.CancellationToken);
        var info = await _codec.ProbeAsync(path, TestContext.Current.CancellationToken);
        var decoded = await _codec.DecodeAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal((64, 48, "h264"), (info.Width, info.Height, info.Codec));
        Assert.Equal(12, decoded.Count);
        Assert.All(decoded.Zip(frames), pair => Assert.True(TestFrames.Psnr(pair.First, pair.Second) > 30, $"{TestFrames.Psnr(pair.First, pair.Second):F1} dB"));
    }

    [Fact]
    public async Task DecodeAsync_TruncatedMp4_ThrowsClearError()
    {
        var frames = Enumerable.Range(0, 12).Select(t => TestFrames.Gradient(64, 48, t)).ToList();
        var path = Path.Combine(_folder, "whole.mp4");
        await _codec.EncodeMp4Async(frames, path, 8, TestContext.Current.CancellationToken);
        var truncated = Path.Combine(_folder, "truncated.mp4");
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)], TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<MediaFormatException>(() => _codec.DecodeAsync(truncated, TestContext.Current.CancellationToken));

        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("playlist")]
    [InlineData("empty")]
    public async Task ProbeAsync_NotAVideo_ThrowsClearError(string kind)
    {
        var path = Path.Combine(_folder, kind + ".mp4");
        var content = kind switch
        {
            "garbage" => [.. Enumerable.Range(0, 4096).Select(i => (byte)((i * 7919) % 251))],

            // an HLS playlist disguised as mp4 that points at a local file: the demuxer whitelist must refuse it
            "playlist" => System.Text.Encoding.ASCII.GetBytes("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/hostname\n#EXT-X-ENDLIST\n"),
            _ => Array.Empty<byte>(),
        };
        await File.WriteAllBytesAsync(path, content, TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<MediaFormatException>(() => _codec.DecodeAsync(path, TestContext.Current.CancellationToken));

        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public async Task EncodeMp4_OddSides_ThrowsNamingTheSize()
    {
        var frames = new List<RgbImage> { new(33, 32) };

        var e = await Assert.ThrowsAsync<ArgumentException>(() => _codec.EncodeMp4Async(frames, Path.Combine(_folder, "odd.mp4"), 8, TestContext.Current.CancellationToken));

        Assert.Contains("33x32", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
