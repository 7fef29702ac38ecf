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
