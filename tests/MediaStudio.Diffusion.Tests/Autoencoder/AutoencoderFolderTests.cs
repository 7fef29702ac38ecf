using MediaStudio.Diffusion.Autoencoder;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Synthetic.Scenes;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Autoencoder;

[Collection(NativeTestGroup.Name)]
public sealed class AutoencoderFolderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ms-ae-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void SaveThenFromPretrained_TinyModel_RoundTripsWeightsScalingAndOutputs()
    {
        using var model = AutoencoderTestData.TinyModel();
        model.UseScalingFactor(0.61);
        ModelFolder.Save(_folder, model, model.Config);

        using var loaded = AutoencoderKL.FromPretrained(_folder);
        using var x = AutoencoderTestData.WorldBatch(2);
        using var guard = no_grad();
        model.eval();
        using var expected = model.forward(x);
        using var actual = loaded.forward(x);

        Assert.Equal(0.61, loaded.Config.ScalingFactor);
        var saved = model.state_dict();
        foreach (var (key, value) in loaded.state_dict())
        {
            Assert.True(value.allclose(saved[key], rtol: 0, atol: 0), $"{key} differs after the round trip");
        }

        Assert.True(actual.allclose(expected, rtol: 0, atol: 0));
    }

    [Fact]
    public void FromPretrained_BundledModel_LoadsStrictlyAndReconstructsAWorldRender()
    {
        var bundled = Path.Combine(AutoencoderTestData.RepositoryRoot(), "models", "autoencoder");

        using var model = AutoencoderKL.FromPretrained(bundled);
        using var x = AutoencoderImages.ToBatch([SceneRendering.Render(SceneSampler.Sample(AutoencoderTraining.EvaluationSeedBase))], 64);
        using var guard = no_grad();
        using var latents = model.EncodeLatents(x);
        using var decoded = model.DecodeLatents(latents);
        using var error = (decoded - x).abs().mean();

        Assert.Equal((64, 4), (model.Config.SampleSize, model.Config.DownsampleFactor));
        Assert.NotEqual(1.0, model.Config.ScalingFactor);
        Assert.Equal([1L, model.Config.LatentChannels, 16, 16], latents.shape);
        Assert.True(error.item<float>() < 0.1f, $"a trained autoencoder reconstructs a held-out render (mean |error| {error.item<float>()})");
    }

    [Fact]
    public void FromPretrained_BundledModelWithAlteredWeights_FailsTheHashCheck()
    {
        var bundled = Path.Combine(AutoencoderTestData.RepositoryRoot(), "models", "autoencoder");
        Directory.CreateDirectory(_folder);
        foreach (var file in Directory.GetFiles(bundled))
        {
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
        }

        var weights = Path.Combine(_folder, ModelFolder.WeightsFileName);
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(weights, bytes);

        var error = Assert.Throws<CheckpointException>(() => AutoencoderKL.FromPretrained(_folder));

        Assert.Contains(ModelFolder.WeightsFileName, error.Message, StringComparison.Ordinal);
    }
}
