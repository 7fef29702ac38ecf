using System.Diagnostics;
using System.Globalization;
using MediaStudio.Media.Images;
using MediaStudio.Media.Video;

namespace MediaStudio.Media.Tests.Video;

public sealed class VideoHardeningTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mediastudio-video-").FullName;
    private readonly VideoCodec _codec = new();

    [Theory]
    [InlineData("hls")]
    [InlineData("ffconcat")]
    public async Task ProbeAsync_PlaylistDisguisedAsMp4_IsRejected(string kind)
    {
        var target = Path.Combine(_folder, "secret.mp4");
        await _codec.EncodeMp4Async([TestFrames.Gradient(16, 16, 0)], target, 8, TestContext.Current.CancellationToken);
        var text = kind == "hls"
            ? $"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile://{target}\n#EXT-X-ENDLIST\n"
            : $"ffconcat version 1.0\nfile '{target}'\n";
        var path = Path.Combine(_folder, kind + ".mp4");
        await File.WriteAllTextAsync(path, text, TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<MediaFormatException>(() => _codec.ProbeAsync(path, TestContext.Current.CancellationToken));

        Assert.Contains("refused", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_ExtensionOutsideAllowList_IsRejectedNamingTheExtension()
    {
        var path = Path.Combine(_folder, "clip.m3u8");
        await File.WriteAllTextAsync(path, "#EXTM3U\n", TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<MediaFormatException>(() => _codec.ProbeAsync(path, TestContext.Current.CancellationToken));

        Assert.Contains(".m3u8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DecodeAsync_TruncatedFaststartMp4_IsRejected()
    {
        var frames = Enumerable.Range(0, 24).Select(t => TestFrames.Gradient(64, 48, t)).ToList();
        var path = Path.Combine(_folder, "whole.mp4");
        await _codec.EncodeMp4Async(frames, path, 8, TestContext.Current.CancellationToken);
        var truncated = Path.Combine(_folder, "truncated.mp4");
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length * 2 / 3)], TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<MediaFormatException>(() => _codec.DecodeAsync(truncated, TestContext.Current.CancellationToken));

        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_OverTheLimits_SaysWhichLimit()
    {
        var path = Path.Combine(_folder, "clip.mp4");
        await _codec.EncodeMp4Async([.. Enumerable.Range(0, 4).Select(t => TestFrames.Gradient(64, 48, t))], path, 30, TestContext.Current.CancellationToken);

        var side = await Assert.ThrowsAsync<MediaFormatException>(
            () => new VideoCodec(limits: new VideoLimits { MaxSide = 32 }).ProbeAsync(path, TestContext.Current.CancellationToken));
        var rate = await Assert.ThrowsAsync<MediaFormatException>(
            () => new VideoCodec(limits: new VideoLimits { MaxFrameRate = 24 }).ProbeAsync(path, TestContext.Current.CancellationToken));
        var streams = await Assert.ThrowsAsync<MediaFormatException>(
            () => new VideoCodec(limits: new VideoLimits { MaxStreams = 1 }).ProbeAsync(WithAudio("av.mp4", 1), TestContext.Current.CancellationToken));

        Assert.Contains("64x48", side.Message, StringComparison.Ordinal);
        Assert.Contains("fps", rate.Message, StringComparison.Ordinal);
        Assert.Contains("2 streams", streams.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EncodeThenDecode_RoundTrip_KeepsDimensionsAndCount()
    {
        var frames = Enumerable.Range(0, 10).Select(t => TestFrames.Gradient(80, 46, t)).ToList();
        var path = Path.Combine(_folder, "round.mp4");

        await _codec.EncodeMp4Async(frames, path, 12, TestContext.Current.CancellationToken);
        var decoded = await _codec.DecodeAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(10, decoded.Count);
        Assert.All(decoded, f => Assert.Equal((80, 46), (f.Width, f.Height)));
        Assert.All(decoded.Zip(frames), p => Assert.True(TestFrames.Psnr(p.First, p.Second) > 30, $"{TestFrames.Psnr(p.First, p.Second):F1} dB"));
    }

    [Fact]
    public async Task DecodeResampledAsync_HalvesRateAndResizes()
    {
        var frames = Enumerable.Range(0, 16).Select(t => TestFrames.Gradient(96, 64, t)).ToList();
        var path = Path.Combine(_folder, "rate.mp4");
        await _codec.EncodeMp4Async(frames, path, 16, TestContext.Current.CancellationToken);

        var decoded = await _codec.DecodeResampledAsync(path, 48, 32, 8, TestContext.Current.CancellationToken);

        Assert.Equal(8, decoded.Count);
        Assert.All(decoded, f => Assert.Equal((48, 32), (f.Width, f.Height)));
    }

    [Fact]
    public async Task EncodeMp4Async_AudioFromSource_KeepsAudioAndIsBrowserPlayable()
    {
        var source = WithAudio("source.mp4", 2);
        var frames = await _codec.DecodeResampledAsync(source, 64, 48, 8, TestContext.Current.CancellationToken);
        var path = Path.Combine(_folder, "edited.mp4");

        await _codec.EncodeMp4Async(frames, path, 8, TestContext.Current.CancellationToken, audioFrom: source);
        var info = await _codec.ProbeAsync(path, TestContext.Current.CancellationToken);
        var silent = Path.Combine(_folder, "silent.mp4");
        await _codec.EncodeMp4Async(frames, silent, 8, TestContext.Current.CancellationToken);

        Assert.True(info.HasAudio);
        Assert.False((await _codec.ProbeAsync(silent, TestContext.Current.CancellationToken)).HasAudio);
        Assert.Equal("h264", info.Codec);
        Assert.Equal("yuv420p", Ffprobe(path, "stream=pix_fmt", "v:0"));
        Assert.Equal(16, frames.Count);
        Assert.InRange(info.Duration.TotalSeconds, 1.8, 2.3);
        Assert.True(MoovBeforeMdat(path), "+faststart puts the moov box before the media data");
    }

    [Fact]
    public async Task EncodeSideBySideAsync_OddHeight_GivesDoubleWidthEvenHeight()
    {
        var left = Enumerable.Range(0, 5).Select(t => TestFrames.Gradient(40, 31, t)).ToList();
        var right = Enumerable.Range(0, 5).Select(t => TestFrames.Gradient(40, 31, t + 7)).ToList();
        var path = Path.Combine(_folder, "sbs.mp4");

        await _codec.EncodeSideBySideAsync(left, right, path, 8, TestContext.Current.CancellationToken);
        var decoded = await _codec.DecodeAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(5, decoded.Count);
        Assert.Equal((80, 32), (decoded[0].Width, decoded[0].Height));
        var leftHalf = Crop(decoded[2], 0, 40, 31);
        var rightHalf = Crop(decoded[2], 40, 40, 31);
        Assert.True(TestFrames.Psnr(leftHalf, left[2]) > 28, "the left half is the original");
        Assert.True(TestFrames.Psnr(rightHalf, right[2]) > 28, "the right half is the edit");
    }

    [Fact]
    public async Task EncodeMp4Async_RejectedAudioSource_LeavesExistingTargetUntouched()
    {
        var path = Path.Combine(_folder, "keep.mp4");
        await File.WriteAllTextAsync(path, "previous result", TestContext.Current.CancellationToken);
        var playlist = Path.Combine(_folder, "audio.mp4");
        await File.WriteAllTextAsync(playlist, "#EXTM3U\n", TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<MediaFormatException>(
            () => _codec.EncodeMp4Async([TestFrames.Gradient(16, 16, 0)], path, 8, TestContext.Current.CancellationToken, audioFrom: playlist));

        Assert.Equal("previous result", await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
        Assert.Equal(["audio.mp4", "keep.mp4"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EncodeMp4Async_Cancelled_KillsFfmpegAndLeavesNoChild()
    {
        var noise = Enumerable.Range(0, 3).Select(Noise).ToList();
        var frames = Enumerable.Range(0, 3000).Select(t => noise[t % 3]).ToList();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var path = Path.Combine(_folder, "long.mp4");

        var encode = _codec.EncodeMp4Async(frames, path, 30, cancel.Token, crf: 0);
        var seen = await WaitForChildAsync("ffmpeg", TimeSpan.FromSeconds(20));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => encode);
        Assert.True(seen, "ffmpeg was running as our child before the cancel");
        Assert.Empty(Children("ffmpeg"));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task DecodeAsync_Cancelled_KillsFfmpegAndLeavesNoChildOrTemporaryFile()
    {
        var noise = Enumerable.Range(0, 3).Select(Noise).ToList();
        var path = Path.Combine(_folder, "long.mp4");
        await _codec.EncodeMp4Async([.. Enumerable.Range(0, 90).Select(t => noise[t % 3])], path, 30, TestContext.Current.CancellationToken, crf: 0);
        var before = Directory.GetDirectories(Path.GetTempPath(), "mediastudio-decode-*").ToHashSet();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var decode = _codec.DecodeAsync(path, cancel.Token);
        var seen = await WaitForChildAsync("ffmpeg", TimeSpan.FromSeconds(20));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => decode);
        Assert.True(seen, "ffmpeg was running as our child before the cancel");
        Assert.Empty(Children("ffmpeg"));
        Assert.Subset(before, Directory.GetDirectories(Path.GetTempPath(), "mediastudio-decode-*").ToHashSet());
    }

    [Theory]
    [InlineData("quote\"name.mp4")]
    [InlineData("back\\slash.mp4")]
    public async Task ProbeAsync_PathWithQuoteOrBackslash_IsRefusedBeforeFfprobe(string name)
    {
        var path = Path.Combine(_folder, name);
        await _codec.EncodeMp4Async([TestFrames.Gradient(16, 16, 0)], Path.Combine(_folder, "ok.mp4"), 8, TestContext.Current.CancellationToken);
        File.Copy(Path.Combine(_folder, "ok.mp4"), path);

        var e = await Assert.ThrowsAsync<MediaFormatException>(() => _codec.ProbeAsync(path, TestContext.Current.CancellationToken));

        Assert.Contains("rename the file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DecodeAsync_PastTheTimeout_IsStoppedWithAClearError()
    {
        var noise = Enumerable.Range(0, 3).Select(Noise).ToList();
        var path = Path.Combine(_folder, "big.mp4");
        await _codec.EncodeMp4Async([.. Enumerable.Range(0, 60).Select(t => noise[t % 3])], path, 30, TestContext.Current.CancellationToken, crf: 0);
        var strict = new VideoCodec(limits: new VideoLimits { Timeout = TimeSpan.FromMilliseconds(1) });

        var e = await Assert.ThrowsAsync<MediaFormatException>(() => strict.DecodeAsync(path, TestContext.Current.CancellationToken));

        Assert.Contains("time limit", e.Message, StringComparison.Ordinal);
        Assert.Empty(Children("ffmpeg"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static RgbImage Noise(int seed)
    {
        var image = new RgbImage(1280, 720);
        new Random(seed).NextBytes(image.Pixels);
        return image;
    }

    private static RgbImage Crop(RgbImage image, int x0, int width, int height)
    {
        var result = new RgbImage(width, height);
        for (var y = 0; y < height; y++)
        {
            Array.Copy(image.Pixels, image.Offset(x0, y), result.Pixels, result.Offset(0, y), width * 3);
        }

        return result;
    }

    /// <summary>Live processes named <paramref name="name"/> whose parent is this test process.</summary>
    private static List<int> Children(string name)
    {
        var self = Environment.ProcessId;
        var result = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // stat: "pid (comm) state ppid ..."; comm may hold spaces, so parse after the last ')'
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var comm = stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                if (comm == name && fields[0] != "Z" && int.Parse(fields[1], CultureInfo.InvariantCulture) == self)
                {
                    result.Add(pid);
                }
            }
            catch (IOException)
            {
                // the process exited while we looked
            }
        }

        return result;
    }

    private static async Task<bool> WaitForChildAsync(string name, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (Children(name).Count > 0)
            {
                return true;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return false;
    }

    private static bool MoovBeforeMdat(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        var moov = text.IndexOf("moov", StringComparison.Ordinal);
        var mdat = text.IndexOf("mdat", StringComparison.Ordinal);
        return moov >= 0 && mdat >= 0 && moov < mdat;
    }

    private static string Ffprobe(string path, string entries, string stream)
    {
        var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-select_streams", stream, "-show_entries", entries, "-of", "default=nw=1:nk=1", path })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return output;
    }

    /// <summary>Makes a test fixture with ffmpeg's lavfi sources: testsrc video plus a 440 Hz sine, both <paramref name="seconds"/> long.</summary>
    private string WithAudio(string name, int seconds)
    {
        var path = Path.Combine(_folder, name);
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
        {
            "-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc=size=96x64:rate=16:duration={seconds}", "-f", "lavfi", "-i", $"sine=frequency=440:duration={seconds}",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-threads", "1", "-c:a", "aac", "-shortest", path,
        })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);
        return path;
    }
}
