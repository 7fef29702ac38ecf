using System.IO.Compression;
using System.Text.Json.Nodes;
using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;
using MediaStudio.Core.Persistence;
using MediaStudio.Diffusion.Autoencoder;
using MediaStudio.Diffusion.Clip;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Diffusion.UNet;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Generation;
using MediaStudio.Jobs.Tests.Hosting;
using MediaStudio.Media.Images;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static TorchSharp.torch;

namespace MediaStudio.Jobs.Tests.Generation;

// the generation job kinds end to end: real Hangfire on SQLite, real database and blob store, tiny real models on disk
[Collection(nameof(QueueHostingTests))]
public sealed class GenerationJobTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("mediastudio-gen-").FullName;
    private readonly string _models = Directory.CreateTempSubdirectory("mediastudio-models-").FullName;
    private IHost? _host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        WriteTinyModels(_models);
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
    public async Task TextToImage_TwoImages_PublishesPngsWithTheirSeedsAndSettings()
    {
        var spec = new TextToImageSpec("a large red circle on the left", Seed: 41, Steps: 3, Width: 32, Height: 32, Count: 2, Sampler: "ddim");

        var job = await SubmitAsync(TextToImageHandler.KindName, spec.ToJson());
        var final = await WaitFinalAsync(job.Id);
        var images = (await OutputsAsync(job.Id)).Where(a => a.Slot!.StartsWith("image-", StringComparison.Ordinal)).OrderBy(a => a.Slot, StringComparer.Ordinal).ToList();

        Assert.Equal(JobStatus.Succeeded, final.Status);
        Assert.Equal(["image-0", "image-1"], images.Select(a => a.Slot));
        Assert.All(images, a => Assert.Equal("image/png", a.MediaType));
        Assert.Equal([41L, 42L], images.Select(a => JsonNode.Parse(a.MetadataJson!)!["seed"]!.GetValue<long>()));
        Assert.Equal("a large red circle on the left", JsonNode.Parse(images[0].MetadataJson!)!["prompt"]!.GetValue<string>());
        var versions = JsonNode.Parse(images[0].MetadataJson!)!["models"]!.AsObject();
        Assert.Equal(["autoencoder", "clip", "text_encoder", "unet"], versions.Select(kv => kv.Key).Order(StringComparer.Ordinal));
        var decoded = new SafeImageCodec().Decode(new MemoryStream(await ReadAsync(images[1])));
        Assert.Equal((32, 32), (decoded.Width, decoded.Height));
    }

    [Fact]
    public async Task TextToImage_SameSeedTwice_SameBytes()
    {
        var spec = new TextToImageSpec("a small blue square at the top", Seed: 5, Steps: 2, Width: 32, Height: 32).ToJson();

        var first = await SubmitAsync(TextToImageHandler.KindName, spec);
        var second = await SubmitAsync(TextToImageHandler.KindName, spec);
        await WaitFinalAsync(first.Id);
        await WaitFinalAsync(second.Id);

        var a = (await OutputsAsync(first.Id)).Single(x => x.Slot == "image-0");
        var b = (await OutputsAsync(second.Id)).Single(x => x.Slot == "image-0");
        Assert.Equal(a.Sha256, b.Sha256);
    }

    [Fact]
    public async Task TextToImage_CancelledWhileDenoising_EndsCancelledWithoutImages()
    {
        var spec = new TextToImageSpec("a large red circle on the left", Seed: 1, Steps: 200, Width: 32, Height: 32, Count: 8, Sampler: "ddim");
        var job = await SubmitAsync(TextToImageHandler.KindName, spec.ToJson());
        await WaitAsync(job.Id, j => j.Status == JobStatus.Running && j.Stage == "denoising" && j.Progress > 0.03);

        await InScopeAsync(s => s.GetRequiredService<JobService>().CancelAsync(job.Id, Ct));
        var final = await WaitFinalAsync(job.Id);

        Assert.Equal(JobStatus.Cancelled, final.Status);
        Assert.DoesNotContain(await OutputsAsync(job.Id), a => a.Slot!.StartsWith("image-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BatchRender_TwoPromptsTwoSeeds_GivesFourImagesContactSheetAndZip()
    {
        var spec = new BatchRenderSpec(["a red circle", "a blue, \"striped\" square"], [3, 9], Steps: 2, Width: 32, Height: 32, Sampler: "ddim");

        var job = await SubmitAsync(BatchRenderHandler.KindName, spec.ToJson());
        var final = await WaitFinalAsync(job.Id);
        var outputs = await OutputsAsync(job.Id);

        Assert.Equal(JobStatus.Succeeded, final.Status);
        Assert.Equal(4, outputs.Count(a => a.Slot!.StartsWith("image-", StringComparison.Ordinal)));
        var sheet = outputs.Single(a => a.Slot == "contact-sheet");
        Assert.True(sheet.Width > 2 * 32 && sheet.Height > 2 * 32, $"contact sheet {sheet.Width}x{sheet.Height}");
        using var zip = new ZipArchive(new MemoryStream(await ReadAsync(outputs.Single(a => a.Slot == "zip"))));
        Assert.Equal(["001-3.png", "001-9.png", "002-3.png", "002-9.png", "index.csv"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        using var index = new StreamReader(zip.GetEntry("index.csv")!.Open());
        var csv = await index.ReadToEndAsync(Ct);
        Assert.Contains("\"a blue, \"\"striped\"\" square\",9,002-9.png", csv, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TextToImageHandler.KindName, """{"prompt":"","steps":0}""", "prompt: is empty")]
    [InlineData(TextToImageHandler.KindName, """{"prompt":"x","negativeMode":"embedding","negativeEmbedding":"missing"}""", "negativeEmbedding: no learned embedding named 'missing'")]
    [InlineData(BatchRenderHandler.KindName, """{"prompts":["a","b"],"seeds":[1,1]}""", "seeds: a seed is repeated")]
    [InlineData(TrainNegativeEmbeddingHandler.KindName, """{"name":"../x"}""", "name: '../x' is not a valid embedding name")]
    public async Task Submit_InvalidSpec_RejectedWithTheFieldNamed(string kind, string spec, string message)
    {
        var error = await Assert.ThrowsAsync<JobInputException>(() => SubmitAsync(kind, spec));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await InScopeAsync(s => s.GetRequiredService<StudioDbContext>().Jobs.CountAsync(Ct)));
    }

    internal static void WriteTinyModels(string root)
    {
        manual_seed(77);
        var tokenizer = ClipTokenizer.BuildFromWorld(contextLength: 12, scenes: 300);
        var clip = ClipModel.FromConfig(ClipConfig.Tiny(tokenizer.VocabSize, tokenizer.ContextLength), tokenizer);
        var unet = new UNet2DConditionModel(UNetConfig.Tiny with { CrossAttentionDim = clip.Config.Text.HiddenSize });
        using var pipeline = new TextToImagePipeline(
            AutoencoderKL.FromConfig(AutoencoderKLConfig.Tiny), clip, unet, new NoiseSchedule(NoiseScheduleConfig.CosineVPrediction with { PredictionType = "epsilon" }), CPU);
        pipeline.Save(root);

        // as the bundled UNet does, this one carries the text tower it was trained with
        TextToImagePipeline.SaveUNet(Path.Combine(root, "unet"), unet, pipeline.Schedule, textEncoder: clip.TextModel);
    }

    private async Task<byte[]> ReadAsync(AssetRecord asset)
    {
        await using var stream = _host!.Services.GetRequiredService<IBlobStore>().OpenRead(asset.Sha256);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    private Task<JobRecord> SubmitAsync(string kind, string spec) => _host!.SubmitAsync(kind, spec);

    private Task<List<AssetRecord>> OutputsAsync(Guid jobId) => _host!.OutputsAsync(jobId);

    private Task<JobRecord> WaitFinalAsync(Guid id) => _host!.WaitFinalAsync(id);

    private Task<JobRecord> WaitAsync(Guid id, Func<JobRecord, bool> condition) => _host!.WaitAsync(id, condition);

    private Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> action) => _host!.InScopeAsync(action);
}
