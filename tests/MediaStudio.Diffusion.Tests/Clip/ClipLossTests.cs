using MediaStudio.Diffusion.Clip;
using MediaStudio.Neural.Training;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Clip;

[Collection(NativeTestGroup.Name)]
public sealed class ClipLossTests
{
    [Fact]
    public void Contrastive_MatchingDiagonal_IsNearZeroAndFarBelowRandom()
    {
        using var perfect = eye(8) * 100;
        using var uniform = zeros(8, 8);
        using var randomLogits = randn([8, 8], generator: new Generator(1)) * 10;

        using var perfectLoss = ClipLoss.Contrastive(perfect);
        using var uniformLoss = ClipLoss.Contrastive(uniform);
        using var randomLoss = ClipLoss.Contrastive(randomLogits);

        Assert.True(perfectLoss.item<float>() < 1e-6);
        Assert.Equal(Math.Log(8), uniformLoss.item<float>(), 4);
        Assert.True(randomLoss.item<float>() > 1.0);
    }

    [Fact]
    public void Contrastive_TransposedLogits_SameLoss()
    {
        using var logits = randn([6, 6], generator: new Generator(2));
        using var a = ClipLoss.Contrastive(logits);
        using var b = ClipLoss.Contrastive(logits.t());

        Assert.Equal(a.item<float>(), b.item<float>(), 5);
    }

    [Fact]
    public void TrainerStep_TinyClip_LowersTheLossOnAFixedBatch()
    {
        using var model = ClipFixtures.TinyModel();
        var (images, prompts) = ClipFixtures.Batch(8);
        using var ids = model.Tokenizer!.EncodeBatch(prompts);
        Tensor Loss()
        {
            using var output = model.forward(images, ids);
            return ClipLoss.Contrastive(output.LogitsPerImage);
        }

        model.train();
        float before;
        using (no_grad())
        {
            using var l = Loss();
            before = l.item<float>();
        }

        using var trainer = new Trainer(model, new TrainingOptions { LearningRate = 3e-3, MinLearningRate = 3e-3, WarmupSteps = 0, TotalSteps = 10, Seed = 1 });
        trainer.Run(_ => Loss(), cancellationToken: TestContext.Current.CancellationToken);
        using var after = Loss();

        Assert.True(after.item<float>() < before, $"loss {before} -> {after.item<float>()}");
    }
}
