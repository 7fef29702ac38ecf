using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Training;
using MediaStudio.Neural.Checkpoints;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Pipelines;

/// <summary>A UNet trained with the CLIP text tower carries that tower in its folder, and the pipeline conditions on it.</summary>
[Collection(NativeTestGroup.Name)]
public sealed class JointTextEncoderTests : IDisposable
{
    private const string Prompt = "a large red circle on the left";

    private readonly string _root = Directory.CreateTempSubdirectory("joint-text-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Load_UNetFolderWithTextTower_ConditionsOnThatTower()
    {
        using var pipeline = TinyPipeline.Create();
        pipeline.Save(_root);
        using var bundled = pipeline.EncodePrompts([Prompt]);
        Perturb(pipeline);
        TextToImagePipeline.SaveUNet(Path.Combine(_root, "unet"), pipeline.UNet, pipeline.Schedule, textEncoder: pipeline.Clip.TextModel);

        using var loaded = TextToImagePipeline.Load(_root, CPU);
        using var joint = pipeline.EncodePrompts([Prompt]);
        using var states = loaded.EncodePrompts([Prompt]);

        Assert.True(states.eq(joint).all().item<bool>(), "the loaded pipeline reads the tower saved with the UNet");
        Assert.False(states.allclose(bundled), "not clip/'s own tower");
        var hash = Sha256Manifest.Read(Path.Combine(_root, "unet"))[TextToImagePipeline.TextEncoderFileName];
        Assert.Equal(hash, TextToImagePipeline.TextEncoderSha256(_root));
        Assert.Equal(Sha256Manifest.Hash(Path.Combine(_root, "unet", TextToImagePipeline.TextEncoderFileName)), hash);
    }

    [Fact]
    public void Load_AlteredTextTower_IsRefused()
    {
        using var pipeline = TinyPipeline.Create();
        pipeline.Save(_root);
        TextToImagePipeline.SaveUNet(Path.Combine(_root, "unet"), pipeline.UNet, pipeline.Schedule, textEncoder: pipeline.Clip.TextModel);
        var path = Path.Combine(_root, "unet", TextToImagePipeline.TextEncoderFileName);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x5A;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CheckpointException>(() => TextToImagePipeline.Load(_root, CPU).Dispose());

        Assert.Contains(TextToImagePipeline.TextEncoderFileName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SaveUNet_WithoutTextTower_DropsAnEarlierOne()
    {
        using var pipeline = TinyPipeline.Create();
        pipeline.Save(_root);
        using var bundled = pipeline.EncodePrompts([Prompt]);
        var unetFolder = Path.Combine(_root, "unet");
        Perturb(pipeline);
        TextToImagePipeline.SaveUNet(unetFolder, pipeline.UNet, pipeline.Schedule, textEncoder: pipeline.Clip.TextModel);

        TextToImagePipeline.SaveUNet(unetFolder, pipeline.UNet, pipeline.Schedule);
        using var loaded = TextToImagePipeline.Load(_root, CPU);
        using var states = loaded.EncodePrompts([Prompt]);

        Assert.False(File.Exists(Path.Combine(unetFolder, TextToImagePipeline.TextEncoderFileName)));
        Assert.DoesNotContain(TextToImagePipeline.TextEncoderFileName, Sha256Manifest.Read(unetFolder).Keys);
        Assert.True(states.eq(bundled).all().item<bool>(), "without a tower in its folder the UNet reads clip/'s");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Loss_TrainedTextTower_GetsGradientsAndJoinsTheTrainedState(bool trainText)
    {
        using var pipeline = TinyPipeline.Create();
        var training = new TextToImageTraining(pipeline.Autoencoder, pipeline.Clip, pipeline.UNet, pipeline.Schedule, new UNetRecipe { MinSnrGamma = 5 }, trainText);
        var trained = new TextToImageModules(pipeline.UNet, trainText ? pipeline.Clip.TextModel : null);
        manual_seed(3);
        var config = pipeline.UNet.Config;
        using var latents = randn(2, config.InChannels, config.SampleSize, config.SampleSize);

        using var loss = training.Loss(latents, training.Context([Prompt, ""]));
        loss.backward();

        var text = pipeline.Clip.TextModel.parameters().ToList();
        Assert.Equal(trainText, text.All(p => p.requires_grad));
        Assert.Equal(trainText, text.Any(p => p.grad is { } g && g.abs().sum().item<float>() > 0));
        Assert.All(pipeline.Clip.VisionModel.parameters(), p => Assert.False(p.requires_grad));
        Assert.Contains(pipeline.UNet.parameters(), p => p.grad is { } g && g.abs().sum().item<float>() > 0);
        var keys = trained.state_dict().Keys.ToList();
        Assert.Contains(keys, k => k.StartsWith("unet.", StringComparison.Ordinal));
        Assert.Equal(trainText, keys.Any(k => k.StartsWith("text_model.", StringComparison.Ordinal)));
    }

    private static void Perturb(TextToImagePipeline pipeline)
    {
        using var noGrad = no_grad();
        foreach (var p in pipeline.Clip.TextModel.parameters())
        {
            p.add_(randn_like(p) * 0.05);
        }
    }
}
