using MediaStudio.Diffusion.Autoencoder;
using MediaStudio.Neural.Training;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Autoencoder;

[Collection(NativeTestGroup.Name)]
public sealed class AutoencoderTrainingTests
{
    [Fact]
    public void Loss_OneAdamWStepOnAFixedBatch_Decreases()
    {
        using var model = AutoencoderTestData.TinyModel(3);
        using var x = AutoencoderTestData.WorldBatch(4);
        var options = new TrainingOptions { LearningRate = 1e-3, WeightDecay = 0 };
        using var optimizer = Trainer.CreateOptimizer(model, options);

        float LossWithSample(bool backward)
        {
            using var g = new Generator(21); // the same posterior sample before and after the step
            using var loss = AutoencoderLoss.Compute(model, x, 1e-6, 0.5, g);
            if (backward)
            {
                loss.backward();
            }

            return loss.item<float>();
        }

        model.train();
        optimizer.zero_grad();
        var before = LossWithSample(backward: true);
        optimizer.step();
        var after = LossWithSample(backward: false);

        Assert.True(after < before, $"loss went from {before} to {after}");
    }

    [Fact]
    public void Loss_PerfectReconstructionTerms_AreZero()
    {
        using var x = AutoencoderTestData.WorldBatch(2);

        using var l1 = AutoencoderLoss.Reconstruction(x, x);
        using var gradient = AutoencoderLoss.Gradient(x, x);
        using var shifted = x + 0.25;
        using var offset = AutoencoderLoss.Gradient(shifted, x);
        using var offsetL1 = AutoencoderLoss.Reconstruction(shifted, x);

        Assert.Equal(0f, l1.item<float>());
        Assert.Equal(0f, gradient.item<float>());
        Assert.Equal(0f, offset.item<float>(), 5); // a constant offset has no edges
        Assert.Equal(0.25f, offsetL1.item<float>(), 5);
    }

    [Fact]
    public void WeightedReconstruction_ConstantWeights_IsThePlainL1AndObjectErrorsCountMore()
    {
        using var x = zeros(1, 3, 4, 4);
        using var objectError = x.clone();
        objectError[0, .., 0, 0] = tensor(1f);                  // wrong on one object pixel
        using var backgroundError = x.clone();
        backgroundError[0, .., 3, 3] = tensor(1f);              // wrong on one background pixel
        using var weights = ones(1, 1, 4, 4);
        weights[0, 0, 0, 0] = tensor(5f);                       // (0, 0) is an object pixel, weight 1 + 4

        using var plain = AutoencoderLoss.Reconstruction(objectError, x);
        using var constant = AutoencoderLoss.WeightedReconstruction(objectError, x, ones(1, 1, 4, 4) * 3);
        using var onObject = AutoencoderLoss.WeightedReconstruction(objectError, x, weights);
        using var onBackground = AutoencoderLoss.WeightedReconstruction(backgroundError, x, weights);

        Assert.Equal(plain.item<float>(), constant.item<float>(), 6);
        Assert.Equal(5 * onBackground.item<float>(), onObject.item<float>(), 5);
    }

    [Fact]
    public void ObjectWeights_TrainingFrames_AreHeavyOnDilatedObjectsAndOneOnBackground()
    {
        var frames = AutoencoderTraining.TrainingFrames(1, 5, 3, 16, 0.1);

        using var weights = AutoencoderTraining.ObjectWeights(frames, 16, 4);

        Assert.Equal([3L, 1, 16, 16], weights.shape);
        Assert.Equal(AutoencoderTraining.TrainingBatch(1, 5, 3, 16, 0.1).Select(i => i.Pixels), frames.Select(f => f.Image.Pixels));
        for (var b = 0; b < frames.Count; b++)
        {
            var map = weights[b, 0].data<float>().ToArray();
            var instances = frames[b].Instances;
            Assert.All(Enumerable.Range(0, instances.Length).Where(i => instances[i] > 0), i => Assert.Equal(5f, map[i]));
            Assert.True(map.Count(w => w == 5f) >= instances.Count(v => v > 0), "the dilation only adds object pixels");
            Assert.All(map, w => Assert.True(w is 1f or 5f));
        }
    }

    [Fact]
    public void TrainingBatch_SameSeedAndStep_SameImagesOtherStepDiffers()
    {
        var a = AutoencoderTraining.TrainingBatch(1, 5, 3, 16, 0.1);
        var b = AutoencoderTraining.TrainingBatch(1, 5, 3, 16, 0.1);
        var c = AutoencoderTraining.TrainingBatch(1, 6, 3, 16, 0.1);

        Assert.Equal(a.Select(i => i.Pixels), b.Select(i => i.Pixels));
        Assert.NotEqual(a[0].Pixels, c[0].Pixels);
    }

    [Fact]
    public void MeasureScalingFactor_AppliedToTheModel_GivesUnitStdLatentsOnTheCalibrationRenders()
    {
        using var model = AutoencoderTestData.TinyModel();
        var size = model.Config.SampleSize;

        var s = AutoencoderTraining.MeasureScalingFactor(model, 24, 8);
        model.UseScalingFactor(s);
        using var x = AutoencoderImages.ToBatch([.. AutoencoderTraining.HeldOut(AutoencoderTraining.CalibrationSeedBase, 24, size).Select(p => p.Image)], size);
        using var guard = no_grad();
        using var latents = model.EncodeLatents(x);
        var moments = new RunningMoments();
        moments.Add(latents);

        Assert.True(s > 0 && double.IsFinite(s));
        Assert.Equal(1.0, moments.Std, 3);
    }

    [Fact]
    public void ToImages_BatchOfRenders_RoundTripsPixelsExactly()
    {
        var images = AutoencoderTraining.HeldOut(AutoencoderTraining.EvaluationSeedBase, 3, 16).Select(p => p.Image).ToList();
        using var batch = AutoencoderImages.ToBatch(images, 16);

        var back = AutoencoderImages.ToImages(batch);

        Assert.Equal(images.Select(i => i.Pixels), back.Select(i => i.Pixels));
    }

    [Fact]
    public void Evaluate_TinyModel_ReportsFiniteMetricsWithoutARecognizer()
    {
        using var model = AutoencoderTestData.TinyModel();

        var evaluation = AutoencoderEvaluation.Run(model, 6, null, 4);

        Assert.Equal(6, evaluation.Samples);
        Assert.True(double.IsFinite(evaluation.PsnrDb) && evaluation.PsnrDb > 0);
        Assert.InRange(evaluation.Ssim, -1, 1);
        Assert.True(evaluation.PsnrDbMin <= evaluation.PsnrDb);
        Assert.Null(evaluation.RecognizerAgreement);
    }

    [Fact]
    public void Recipe_NegativeKlWeight_ThrowsNamingIt()
    {
        var recipe = new AutoencoderRecipe { KlWeight = -1 };

        var error = Assert.Throws<ArgumentException>(recipe.Validate);

        Assert.Contains("kl_weight", error.Message, StringComparison.Ordinal);
    }
}
