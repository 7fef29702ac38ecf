using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;
using MediaStudio.Core.Persistence;
using MediaStudio.Jobs.Captions;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Generation;
using MediaStudio.Jobs.Tests.Generation;
using MediaStudio.Jobs.Tests.Hosting;
using MediaStudio.Language.Captioning;
using MediaStudio.Language.Training;
using MediaStudio.Media.Images;
using MediaStudio.Media.Video;
using MediaStudio.Tests.Shared;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MediaStudio.Jobs.Tests.Captions;

// the caption job kind end to end: real Hangfire on SQLite, real database and blob store, a real (tiny, briefly trained)
// captioner folder written by the captioner's own training and save code
[Collection(nameof(QueueHostingTests))]
public sealed class CaptionJobTests(CaptionJobTests.TinyModels models) : IAsyncLifetime, IClassFixture<CaptionJobTests.TinyModels>
{
    private readonly string _data = Directory.CreateTempSubdirectory("mediastudio-caption-").FullName;
    private readonly string _models = models.Root;
    private IHost? _host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await StartAsync(autoCaption: true);

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_host!);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Caption_ImageAndClip_StoresWhatTheCaptionerSaysOnEachAsset()
    {
        var scene = SceneRendering.Render(SceneSampler.Sample(11), 48, 48);
        var clipFrames = CaptionerTraining.Clip(5, 48, 8, WorldRandom.For(5, "caption-test")).Frames;
        var image = await StoreImageAsync(scene, "scene.png");
        var clip = await StoreVideoAsync(clipFrames, "clip.mp4");

        var job = await SubmitAsync(CaptionSpec.Kind, new CaptionSpec([image.Id, clip.Id], Seed: 3).ToJson());
        var final = await WaitFinalAsync(job.Id);

        Assert.Equal(JobStatus.Succeeded, final.Status);
        using var captioner = CaptionPipeline.Load(CaptionOptions.ModelFolder(_models));
        var options = new GenerationOptions { MaxNewTokens = 48, Seed = 3 };
        var decoded = await _host!.Services.GetRequiredService<VideoCodec>().DecodeAsync(await CopyOutAsync(clip), Ct);
        Assert.Equal(CaptionHandler.Clean(captioner.CaptionImages([scene], options, Ct)[0]), (await FindAsync(image.Id)).Caption);
        Assert.Equal(CaptionHandler.Clean(captioner.CaptionClip(decoded, options, Ct)), (await FindAsync(clip.Id)).Caption);
    }

    [Fact]
    public async Task Caption_WithoutOverwrite_LeavesAnExistingCaption()
    {
        var image = await StoreImageAsync(SceneRendering.Render(SceneSampler.Sample(12), 48, 48), "kept.png");
        await InScopeAsync(s => s.GetRequiredService<StudioDbContext>().Assets.Where(a => a.Id == image.Id).ExecuteUpdateAsync(u => u.SetProperty(a => a.Caption, "written by hand"), Ct));

        var final = await WaitFinalAsync((await SubmitAsync(CaptionSpec.Kind, new CaptionSpec([image.Id], Overwrite: false).ToJson())).Id);

        Assert.Equal(JobStatus.Succeeded, final.Status);
        Assert.Equal("written by hand", (await FindAsync(image.Id)).Caption);
    }

    [Fact]
    public async Task TextToImage_AutoCaptionOn_QueuesACaptionJobThatCaptionsEveryOutput()
    {
        var spec = new TextToImageSpec("a large red circle on the left", Seed: 4, Steps: 2, Width: 32, Height: 32, Count: 2, Sampler: "ddim");

        var render = await WaitFinalAsync((await SubmitAsync(TextToImageHandler.KindName, spec.ToJson())).Id);
        var captionJob = await InScopeAsync(s => s.GetRequiredService<StudioDbContext>().Jobs.AsNoTracking().SingleAsync(j => j.Kind == CaptionSpec.Kind, Ct));
        await WaitFinalAsync(captionJob.Id);
        var images = await InScopeAsync(s => s.GetRequiredService<StudioDbContext>().Assets.AsNoTracking().Where(a => a.SourceJobId == render.Id && a.Slot!.StartsWith("image-")).ToListAsync(Ct));

        Assert.Equal(JobStatus.Succeeded, render.Status);
        Assert.Equal(2, images.Count);
        Assert.All(images, a => Assert.NotNull(a.Caption));
        Assert.Equal(images.Select(a => a.Id).Order(), CaptionSpec.Parse(captionJob.SpecJson).AssetIds.Order());
    }

    [Fact]
    public async Task TextToImage_AutoCaptionOff_QueuesNothingAndLeavesOutputsUncaptioned()
    {
        await StopAsync(_host!);
        _host = await StartAsync(autoCaption: false);
        var spec = new TextToImageSpec("a small blue square at the top", Seed: 8, Steps: 2, Width: 32, Height: 32, Sampler: "ddim");

        var render = await WaitFinalAsync((await SubmitAsync(TextToImageHandler.KindName, spec.ToJson())).Id);

        Assert.Equal(JobStatus.Succeeded, render.Status);
        Assert.Equal(0, await InScopeAsync(s => s.GetRequiredService<StudioDbContext>().Jobs.CountAsync(j => j.Kind == CaptionSpec.Kind, Ct)));
        Assert.Null((await InScopeAsync(s => s.GetRequiredService<StudioDbContext>().Assets.SingleAsync(a => a.SourceJobId == render.Id && a.Slot == "image-0", Ct))).Caption);
    }

    [Fact]
    public async Task TextToImage_CaptionerMissing_RenderStillSucceedsUncaptioned()
    {
        Directory.Move(CaptionOptions.ModelFolder(_models), CaptionOptions.ModelFolder(_models) + "-away");
        try
        {
            var spec = new TextToImageSpec("a large yellow star in the centre", Seed: 9, Steps: 2, Width: 32, Height: 32, Sampler: "ddim");

            var render = await WaitFinalAsync((await SubmitAsync(TextToImageHandler.KindName, spec.ToJson())).Id);

            Assert.Equal(JobStatus.Succeeded, render.Status);
            Assert.Equal(0, await InScopeAsync(s => s.GetRequiredService<StudioDbContext>().Jobs.CountAsync(j => j.Kind == CaptionSpec.Kind, Ct)));
            var error = await Assert.ThrowsAsync<JobInputException>(() => SubmitAsync(CaptionSpec.Kind, new CaptionSpec([Guid.NewGuid()]).ToJson()));
            Assert.Contains("captioner: the captioner model is not installed", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Move(CaptionOptions.ModelFolder(_models) + "-away", CaptionOptions.ModelFolder(_models));
        }
    }

    [Theory]
    [InlineData("""{"assetIds":[]}""", "assetIds: no asset to caption")]
    [InlineData("""{"assetIds":["00000000-0000-0000-0000-000000000000"]}""", "assetIds: the empty id is not an asset")]
    [InlineData("""{"assetIds":["0190f0c8-0000-7000-8000-000000000001"],"maxNewTokens":0}""", "maxNewTokens: 0 is outside 1 to 256")]
    public async Task Submit_InvalidCaptionSpec_RejectedWithTheFieldNamed(string spec, string message)
    {
        var error = await Assert.ThrowsAsync<JobInputException>(() => SubmitAsync(CaptionSpec.Kind, spec));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    /// <summary>The models folder every test of the class shares: a tiny captioner and tiny text-to-image models.</summary>
    public sealed class TinyModels : IDisposable
    {
        public TinyModels()
        {
            TinyCaptioner.Write(Root);
            GenerationJobTests.WriteTinyModels(Root);
        }

        public string Root { get; } = Directory.CreateTempSubdirectory("mediastudio-caption-models-").FullName;

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    private async Task<IHost> StartAsync(bool autoCaption)
    {
        var host = StudioHost.Build(new Dictionary<string, string?>
        {
            ["MediaStudio:Storage:DataPath"] = _data,
            ["MediaStudio:Models:Path"] = _models,
            ["MediaStudio:Captions:AutoCaption"] = autoCaption ? "true" : "false",
        });
        await host.StartAsync(Ct);
        return host;
    }

    private static async Task StopAsync(IHost host)
    {
        await host.StopAsync(CancellationToken.None);
        host.Dispose();
    }

    private async Task<AssetRecord> StoreImageAsync(RgbImage image, string name)
    {
        using var png = new MemoryStream();
        new SafeImageCodec().EncodePng(image, png);
        png.Position = 0;
        return await StoreAsync(png, "image/png", name, image.Width, image.Height);
    }

    private async Task<AssetRecord> StoreVideoAsync(IReadOnlyList<RgbImage> frames, string name)
    {
        var path = Path.Combine(_data, $"{Guid.NewGuid():N}.mp4");
        await _host!.Services.GetRequiredService<VideoCodec>().EncodeMp4Async(frames, path, 8, Ct);
        await using var file = File.OpenRead(path);
        return await StoreAsync(file, "video/mp4", name, frames[0].Width, frames[0].Height);
    }

    private Task<AssetRecord> StoreAsync(Stream content, string mediaType, string name, int width, int height) =>
        _host!.StoreAsync(content, mediaType, name, width: width, height: height);

    private Task<string> CopyOutAsync(AssetRecord asset) => _host!.CopyOutAsync(asset, _data);

    private Task<AssetRecord> FindAsync(Guid id) => _host!.FindAssetAsync(id);

    private Task<JobRecord> SubmitAsync(string kind, string spec) => _host!.SubmitAsync(kind, spec);

    private Task<JobRecord> WaitFinalAsync(Guid id) => _host!.WaitFinalAsync(id);

    private Task<JobRecord> WaitAsync(Guid id, Func<JobRecord, bool> condition) => _host!.WaitAsync(id, condition);

    private Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> action) => _host!.InScopeAsync(action);
}
