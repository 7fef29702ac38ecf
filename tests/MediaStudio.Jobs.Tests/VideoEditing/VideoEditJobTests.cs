using System.Text.Json.Nodes;
using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;
using MediaStudio.Core.Persistence;
using MediaStudio.Diffusion.UNet;
using MediaStudio.Diffusion.Video.Editor;
using MediaStudio.Diffusion.Video.Motion;
using MediaStudio.Diffusion.Video.Pipelines;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Tests.Hosting;
using MediaStudio.Jobs.VideoEditing;
using MediaStudio.Media.Images;
using MediaStudio.Media.Video;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Synthetic.Clips;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static TorchSharp.torch;

namespace MediaStudio.Jobs.Tests.VideoEditing;

// the video-edit job kind end to end: real Hangfire on SQLite, real database, blob store and ffmpeg, a world clip, and a
// tiny (untrained) editor with motion modules saved as model folders the way the training commands save them
[Collection(nameof(QueueHostingTests))]
public sealed class VideoEditJobTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("mediastudio-video-edit-").FullName;
    private readonly string _models = Directory.CreateTempSubdirectory("mediastudio-video-models-").FullName;
    private IHost? _host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private VideoCodec Codec => _host!.Services.GetRequiredService<VideoCodec>();

    public async ValueTask InitializeAsync()
    {
        manual_seed(5);
        using (var editor = new ReferenceEditor(ReferenceEditorConfig.Tiny))
        {
            ModelFolder.Save(Path.Combine(_models, VideoEditPipeline.EditorFolder), editor, ReferenceEditorConfig.Tiny);
        }

        var motionConfig = new MotionModuleConfig { PointChannels = UNet2DConditionModel.PointChannels(ReferenceEditorConfig.Tiny.UNet), NormNumGroups = 8, BaseWindow = 4 };
        using (var motion = new MotionModules(motionConfig))
        {
            ModelFolder.Save(Path.Combine(_models, VideoEditPipeline.MotionFolder), motion, motionConfig);
        }

        _host = StudioHost.Build(new Dictionary<string, string?>
        {
            ["MediaStudio:Storage:DataPath"] = _data,
            ["MediaStudio:Models:Path"] = _models,
        });
        await _host.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host!.StopAsync(CancellationToken.None);
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
        Directory.Delete(_models, recursive: true);
    }

    [Fact]
    public async Task VideoEdit_WorldClipWithBoxMask_PublishesPlayableEditedVideoSideBySideAndSettings()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(3, 48, 48, frameCount: 10));
        var (video, mask, reference) = await StoreInputsAsync(clip, 10, 10, 30, 30);
        var spec = new VideoEditSpec(video.Id, mask.Id, reference.Id, Steps: 2, Seed: 7, MaxSide: 48, MaskShape: EditMaskShape.Box);

        var job = await SubmitAsync(spec.ToJson());
        var final = await WaitAsync(job.Id, j => j.Status.IsFinal());
        var outputs = await OutputsAsync(job.Id);

        Assert.True(final.Status == JobStatus.Succeeded, $"{final.Status}: {final.Error}");
        Assert.Equal(["preview-original", "side-by-side", "video"], outputs.Select(a => a.Slot!).Order(StringComparer.Ordinal));
        var edited = outputs.Single(a => a.Slot == "video");
        var info = await Codec.ProbeAsync(await CopyOutAsync(edited), Ct);
        Assert.Equal((48, 48, "h264"), (info.Width, info.Height, info.Codec));
        Assert.Equal(10, (await Codec.DecodeAsync(await CopyOutAsync(edited), Ct)).Count);
        var sideBySide = await Codec.ProbeAsync(await CopyOutAsync(outputs.Single(a => a.Slot == "side-by-side")), Ct);
        Assert.Equal((96, 48), (sideBySide.Width, sideBySide.Height));
        var settings = JsonNode.Parse(edited.MetadataJson!)!;
        Assert.Equal(("video-edit", 2, 7L, 10), (settings["kind"]!.GetValue<string>(), settings["steps"]!.GetValue<int>(), settings["seed"]!.GetValue<long>(), settings["frames"]!.GetValue<int>()));
        Assert.Equal(("video/mp4", AssetKind.Output), (edited.MediaType, edited.Kind));
        Assert.Equal("box", settings["maskShape"]!.GetValue<string>());
    }

    [Fact]
    public async Task VideoEdit_SourceWithAudio_EditedVideoKeepsTheAudio()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(8, 32, 32, frameCount: 8));
        var (silent, mask, reference) = await StoreInputsAsync(clip, 4, 4, 20, 20);
        var withAudio = Path.Combine(_data, "with-audio.mp4");
        await AddToneAsync(await CopyOutAsync(silent), withAudio);
        AssetRecord video;
        await using (var file = File.OpenRead(withAudio))
        {
            video = await StoreAsync(file, "video/mp4", "tone.mp4", "input-video");
        }

        var final = await WaitAsync((await SubmitAsync(new VideoEditSpec(video.Id, mask.Id, reference.Id, Steps: 2, MaxSide: 32).ToJson())).Id, j => j.Status.IsFinal());

        Assert.True(final.Status == JobStatus.Succeeded, $"{final.Status}: {final.Error}");
        Assert.True((await Codec.ProbeAsync(withAudio, Ct)).HasAudio);
        var edited = await Codec.ProbeAsync(await CopyOutAsync((await OutputsAsync(final.Id)).Single(a => a.Slot == "video")), Ct);
        Assert.True(edited.HasAudio);
    }

    [Fact]
    public async Task VideoEdit_SameSeedTwice_SameEditedFrames()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(4, 32, 32, frameCount: 6));
        var (video, mask, reference) = await StoreInputsAsync(clip, 4, 4, 20, 20);
        var spec = new VideoEditSpec(video.Id, mask.Id, reference.Id, Steps: 2, Seed: 11, MaxSide: 32).ToJson();

        var first = await SubmitAsync(spec);
        var second = await SubmitAsync(spec);
        await WaitAsync(first.Id, j => j.Status.IsFinal());
        await WaitAsync(second.Id, j => j.Status.IsFinal());

        var a = await Codec.DecodeAsync(await CopyOutAsync((await OutputsAsync(first.Id)).Single(x => x.Slot == "video")), Ct);
        var b = await Codec.DecodeAsync(await CopyOutAsync((await OutputsAsync(second.Id)).Single(x => x.Slot == "video")), Ct);
        Assert.Equal(a.Count, b.Count);
        Assert.All(a.Zip(b), pair => Assert.Equal(pair.First.Pixels, pair.Second.Pixels));
    }

    [Fact]
    public async Task VideoEdit_CancelledWhileEditing_EndsCancelledWithoutVideo()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(5, 32, 32, frameCount: 48));
        var (video, mask, reference) = await StoreInputsAsync(clip, 4, 4, 20, 20);
        var spec = new VideoEditSpec(video.Id, mask.Id, reference.Id, Steps: 200, MaxSide: 32, FrameRate: 8);
        var job = await SubmitAsync(spec.ToJson());
        await WaitAsync(job.Id, j => j.Status == JobStatus.Running && j.Stage is { } stage && stage.Contains("step", StringComparison.Ordinal));

        await InScopeAsync(s => s.GetRequiredService<JobService>().CancelAsync(job.Id, Ct));
        var final = await WaitAsync(job.Id, j => j.Status.IsFinal());

        Assert.Equal(JobStatus.Cancelled, final.Status);
        Assert.Empty(await OutputsAsync(job.Id));
    }

    [Fact]
    public async Task VideoEdit_EmptyMask_FailsAtOnceSayingSo()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(6, 32, 32, frameCount: 4));
        var (video, mask, reference) = await StoreInputsAsync(clip, 0, 0, 0, 0);

        var final = await WaitAsync((await SubmitAsync(new VideoEditSpec(video.Id, mask.Id, reference.Id, Steps: 2, MaxSide: 32).ToJson())).Id, j => j.Status.IsFinal());

        Assert.Equal(JobStatus.Failed, final.Status);
        Assert.Contains("maskAssetId: the mask is empty", final.Error, StringComparison.Ordinal);
        Assert.Equal(1, final.Attempts);
    }

    [Fact]
    public async Task VideoEdit_DeletedVideo_FailsNamingTheField()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(7, 32, 32, frameCount: 4));
        var (video, mask, reference) = await StoreInputsAsync(clip, 4, 4, 20, 20);
        await InScopeAsync(s => s.GetRequiredService<StudioDbContext>().Assets.Where(a => a.Id == video.Id).ExecuteDeleteAsync(Ct));

        var final = await WaitAsync((await SubmitAsync(new VideoEditSpec(video.Id, mask.Id, reference.Id, Steps: 2, MaxSide: 32).ToJson())).Id, j => j.Status.IsFinal());

        Assert.Equal(JobStatus.Failed, final.Status);
        Assert.Contains($"videoAssetId: no asset {video.Id}", final.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"videoAssetId":"00000000-0000-0000-0000-000000000000","maskAssetId":"0190f0c8-0000-7000-8000-000000000001","referenceAssetId":"0190f0c8-0000-7000-8000-000000000002"}""", "videoAssetId: no video given")]
    [InlineData("""{"videoAssetId":"0190f0c8-0000-7000-8000-000000000003","maskAssetId":"0190f0c8-0000-7000-8000-000000000001","referenceAssetId":"0190f0c8-0000-7000-8000-000000000002","steps":0}""", "steps: 0 is outside 1 to 200")]
    [InlineData("""{"videoAssetId":"0190f0c8-0000-7000-8000-000000000003","maskAssetId":"0190f0c8-0000-7000-8000-000000000001","referenceAssetId":"0190f0c8-0000-7000-8000-000000000002","maxSide":50}""", "maxSide: 50 must be a multiple of 16")]
    public async Task Submit_InvalidVideoEditSpec_RejectedWithTheFieldNamed(string spec, string message)
    {
        var error = await Assert.ThrowsAsync<JobInputException>(() => SubmitAsync(spec));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binarize_HalfWhiteMask_ScalesByNearestSample()
    {
        var mask = new RgbImage(4, 2);
        for (var y = 0; y < 2; y++)
        {
            for (var x = 2; x < 4; x++)
            {
                Array.Fill<byte>(mask.Pixels, 255, mask.Offset(x, y), 3);
            }
        }

        var bytes = VideoEditHandler.Binarize(mask, 8, 2);

        Assert.Equal([0, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255, 255, 255, 255], bytes);
    }

    [Theory]
    [InlineData(0, 2, 0, 10, 0.0, "denoising: chunk 1 of 2, step 1 of 10")]
    [InlineData(1, 2, 5, 10, 0.75, "denoising: chunk 2 of 2, step 6 of 10")]
    public void EditProgress_ChunkAndStep_GivesStageAndFraction(int chunk, int chunks, int step, int steps, double fraction, string stage)
    {
        var progress = new VideoEditProgress(chunk, chunks, step, steps, "denoising");

        Assert.Equal(fraction, EditProgress.Fraction(progress), 6);
        Assert.Equal(stage, EditProgress.Stage(progress));
    }

    private async Task<(AssetRecord Video, AssetRecord Mask, AssetRecord Reference)> StoreInputsAsync(Clip clip, int x0, int y0, int x1, int y1)
    {
        var path = Path.Combine(_data, $"{Guid.NewGuid():N}.mp4");
        await Codec.EncodeMp4Async(clip.Frames, path, ClipVideo.FrameRate, Ct);
        AssetRecord video;
        await using (var file = File.OpenRead(path))
        {
            video = await StoreAsync(file, "video/mp4", "world.mp4", "input-video");
        }

        var box = new RgbImage(clip.Frames[0].Width, clip.Frames[0].Height);
        for (var y = y0; y < y1; y++)
        {
            for (var x = x0; x < x1; x++)
            {
                Array.Fill<byte>(box.Pixels, 255, box.Offset(x, y), 3);
            }
        }

        return (video, await StoreAsync(Png(box), "image/png", "mask.png", "input-mask"), await StoreAsync(Png(clip.Edit.Reference), "image/png", "reference.png", null));
    }

    // muxes a generated sine tone under the video (ffmpeg's lavfi source; the studio itself never reads lavfi)
    private static async Task AddToneAsync(string video, string output)
    {
        var ffmpeg = Path.Combine(FfmpegLocator.FindBinaryFolder(new FfmpegOptions(), Environment.GetEnvironmentVariable("PATH")), "ffmpeg");
        var start = new System.Diagnostics.ProcessStartInfo(ffmpeg, ["-v", "error", "-y", "-i", video, "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:v", "copy", "-c:a", "aac", "-shortest", output])
        {
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, error);
    }

    private static MemoryStream Png(RgbImage image)
    {
        var png = new MemoryStream();
        new SafeImageCodec().EncodePng(image, png);
        png.Position = 0;
        return png;
    }

    private Task<AssetRecord> StoreAsync(Stream content, string mediaType, string name, string? slot) => _host!.StoreAsync(content, mediaType, name, slot);

    private Task<string> CopyOutAsync(AssetRecord asset) => _host!.CopyOutAsync(asset, _data);

    private Task<List<AssetRecord>> OutputsAsync(Guid jobId) => _host!.OutputsAsync(jobId);

    private Task<JobRecord> SubmitAsync(string spec) => _host!.SubmitAsync(VideoEditSpec.Kind, spec);

    private Task<JobRecord> WaitAsync(Guid id, Func<JobRecord, bool> condition) => _host!.WaitAsync(id, condition);

    private Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> action) => _host!.InScopeAsync(action);
}
