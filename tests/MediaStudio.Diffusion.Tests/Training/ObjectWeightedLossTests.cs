using System.Text.Json;
using MediaStudio.Diffusion.Tests.Pipelines;
using MediaStudio.Diffusion.Training;
using MediaStudio.Synthetic.Scenes;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Training;

/// <summary>The UNet's object-weighted denoising loss: the weights mark the latent cells objects cover, and the loss is the
/// weighted mean of each sample's squared error.</summary>
[Collection(NativeTestGroup.Name)]
public sealed class ObjectWeightedLossTests
{
    [Fact]
    public void PromptObjectWeights_CoverEveryRenderOfThePrompt_AndOnlyNearItsObjects()
    {
        var options = new SceneSamplerOptions { MaxObjects = 3 };
        for (var seed = 0; seed < 40; seed++)
        {
            var scene = SceneSampler.Sample(seed, options);
            using var weights = TextToImageTraining.PromptObjectWeights([scene.Label], 64, 4, objectWeight: 3); // (1, 1, 16, 16)
            var cells = weights.data<float>().ToArray();

            // the weights come from the label alone, so every layout of it (another seed's jitter and radius) must lie under them
            foreach (var layoutSeed in new long[] { seed, seed + 1000, seed + 2000 })
            {
                var frame = SceneRendering.RenderClean(new SceneSample(layoutSeed, scene.Label));
                for (var i = 0; i < frame.Instances.Length; i++)
                {
                    if (frame.Instances[i] > 0)
                    {
                        Assert.Equal(4f, cells[((i / 64 / 4) * 16) + (i % 64 / 4)]);
                    }
                }
            }

            Assert.All(cells, c => Assert.True(c is 1f or 4f));
            Assert.InRange(cells.Count(c => c > 1), 4, 72 * scene.Label.Objects.Count);
        }
    }

    [Fact]
    public void PromptObjectWeights_EmptyPrompt_IsUniform()
    {
        var scene = SceneSampler.Sample(3);

        using var weights = TextToImageTraining.PromptObjectWeights([null, scene.Label], 64, 4, objectWeight: 4);

        Assert.True(weights[0].eq(1).all().item<bool>());
        Assert.True(weights[1].max().item<float>() == 5f);
    }

    [Fact]
    public void Loss_Weights_AreTheWeightedMeanOfTheSquaredError()
    {
        using var pipeline = TinyPipeline.Create();
        var training = new TextToImageTraining(pipeline.Autoencoder, pipeline.Clip, pipeline.UNet, pipeline.Schedule, new UNetRecipe { MinSnrGamma = 0 });
        pipeline.UNet.eval();
        var config = pipeline.UNet.Config;
        manual_seed(5);
        using var latents = randn(2, config.InChannels, config.SampleSize, config.SampleSize);
        using var noise = randn_like(latents);
        using var t = tensor(new long[] { 300, 700 });
        using var context = training.Context(["a large red circle on the left", ""]);
        using var noGrad = no_grad();

        using var plain = training.Loss(latents, context, t, noise);
        using var uniform = full(2, 1, config.SampleSize, config.SampleSize, 3f);
        using var scaled = training.Loss(latents, context, t, noise, uniform);
        using var corner = zeros(2, 1, config.SampleSize, config.SampleSize);
        corner[.., .., ..2, ..2] = tensor(1f);
        using var cornerLoss = training.Loss(latents, context, t, noise, corner);

        using var v = pipeline.Schedule.Target(latents, noise, t);
        using var prediction = pipeline.UNet.forward(pipeline.Schedule.AddNoise(latents, noise, t), t, context);
        using var cornerError = (prediction - v).square()[.., .., ..2, ..2].mean();
        Assert.Equal(plain.item<float>(), scaled.item<float>(), 5);
        Assert.Equal(cornerError.item<float>(), cornerLoss.item<float>(), 5);
        Assert.NotEqual(plain.item<float>(), cornerLoss.item<float>(), 3);
    }

    [Fact]
    public void Batch_ObjectWeight_GivesWeightsAtTheLatentsSize()
    {
        using var pipeline = TinyPipeline.Create();
        var weighted = new TextToImageTraining(pipeline.Autoencoder, pipeline.Clip, pipeline.UNet, pipeline.Schedule, new UNetRecipe { BatchSize = 3, ObjectWeight = 4 });
        var plain = new TextToImageTraining(pipeline.Autoencoder, pipeline.Clip, pipeline.UNet, pipeline.Schedule, new UNetRecipe { BatchSize = 3 });

        var (latents, captions, weights) = weighted.Batch(0);
        var (_, plainCaptions, none) = plain.Batch(0);

        Assert.NotNull(weights);
        Assert.Null(none);
        Assert.Equal(new[] { latents.shape[0], 1, latents.shape[2], latents.shape[3] }, weights.shape);
        Assert.True(weights.ge(1).all().item<bool>() && weights.le(5).all().item<bool>());
        Assert.Equal(plainCaptions, captions);
    }

    [Fact]
    public void Recipe_ObjectWeight_AbsentIsZeroAndNegativeIsRefused()
    {
        var old = JsonSerializer.Deserialize<UNetRecipe>("""{ "steps": 10, "batch_size": 2 }""")!;

        var error = Assert.Throws<ArgumentException>(() => (old with { ObjectWeight = -1 }).ToTrainingOptions());

        Assert.Equal(0, old.ObjectWeight);
        Assert.Contains("object_weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"object_weight\": 4", (old with { ObjectWeight = 4 }).ToJson(), StringComparison.Ordinal);
    }
}
