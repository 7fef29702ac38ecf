using MediaStudio.Diffusion.Clip;
using MediaStudio.Diffusion.Reward;
using MediaStudio.Diffusion.Tests.Clip;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Training;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Reward;

[Collection(NativeTestGroup.Name)]
public sealed class RewardModelTests
{
    private static RewardModel Tiny(int trainableStages = 1)
    {
        using var clip = ClipFixtures.TinyModel();
        var config = new RewardConfig { Clip = clip.Config, HiddenSize = 8, TrainableVisionStages = trainableStages, ClipSource = "tiny" };
        return RewardModel.FromClip(clip, config, new Generator(11));
    }

    [Fact]
    public void BradleyTerryLoss_EqualScores_IsLnTwo()
    {
        using var scores = tensor(new[] { 0.3f, -1f });
        using var loss = RewardModel.BradleyTerryLoss(scores, scores);

        Assert.Equal(Math.Log(2), loss.item<float>(), 5);
    }

    [Fact]
    public void TrainerSteps_FixedPair_RaiseChosenMinusRejected()
    {
        using var model = Tiny();
        var (images, prompts) = ClipFixtures.Batch(2);
        using var chosen = images.narrow(0, 0, 1);
        using var rejected = images.narrow(0, 1, 1);
        using var ids = model.Tokenizer!.EncodeBatch([prompts[0]]);
        float Margin()
        {
            using var guard = no_grad();
            model.eval();
            using var m = model.Score(chosen, ids) - model.Score(rejected, ids);
            return m.item<float>();
        }

        var before = Margin();
        using var trainer = new Trainer(model, new TrainingOptions { LearningRate = 1e-2, MinLearningRate = 1e-2, WarmupSteps = 0, TotalSteps = 5, Seed = 1 });
        trainer.Run(
            _ =>
            {
                model.Clip.eval();
                using var c = model.Score(chosen, ids);
                using var r = model.Score(rejected, ids);
                return RewardModel.BradleyTerryLoss(c, r);
            },
            cancellationToken: TestContext.Current.CancellationToken);
        var after = Margin();

        Assert.True(after > before, $"margin {before} -> {after}");
    }

    [Fact]
    public void Score_ImageRequiringGrad_GradientReachesTheImage()
    {
        using var model = Tiny();
        model.eval();
        var (images, prompts) = ClipFixtures.Batch(2);
        using var input = images.detach().requires_grad_();

        using var r = model.Score(input, prompts);
        using var total = r.sum();
        total.backward();

        Assert.Equal([2L], r.shape);
        Assert.NotNull(input.grad);
        Assert.True(input.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void FreezePerConfig_OneStage_TrainsHeadAndLastStageOnly()
    {
        using var model = Tiny();
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();

        Assert.Contains("head.0.weight", trainable);
        Assert.Contains("cosine_weight", trainable);
        Assert.Contains("clip.visual_projection.weight", trainable);
        Assert.Contains(trainable, n => n.StartsWith("clip.vision_model.encoder.stages.1.", StringComparison.Ordinal));
        Assert.DoesNotContain(trainable, n => n.StartsWith("clip.text_model.", StringComparison.Ordinal));
        Assert.DoesNotContain(trainable, n => n.StartsWith("clip.vision_model.encoder.stages.0.", StringComparison.Ordinal));
    }

    [Fact]
    public void FromClip_TinyClip_CopiesTheTowersExactly()
    {
        using var clip = ClipFixtures.TinyModel(attributeLogits: 5);
        var config = new RewardConfig { Clip = clip.Config with { AttributeLogits = 0 }, HiddenSize = 8 };
        using var model = RewardModel.FromClip(clip, config);
        var (images, _) = ClipFixtures.Batch(2);
        clip.eval();
        model.eval();
        using var guard = no_grad();

        using var expected = clip.GetImageFeatures(images);
        using var actual = model.Clip.GetImageFeatures(images);

        Assert.True(actual.equal(expected).all().item<bool>());
    }

    [Fact]
    public void SaveThenFromPretrained_TinyModel_SameScores()
    {
        var folder = ClipFixtures.TempFolder();
        using var model = Tiny();
        model.eval();
        var (images, prompts) = ClipFixtures.Batch(3);
        using var guard = no_grad();
        using var expected = model.Score(images, prompts);

        model.Save(folder);
        using var loaded = RewardModel.FromPretrained(folder);
        using var actual = loaded.Score(images, prompts);

        Assert.True(actual.equal(expected).all().item<bool>());
        Assert.Contains(ClipTokenizer.VocabFileName, Sha256Manifest.Read(folder).Keys);
        Assert.Equal("tiny", loaded.Config.ClipSource);
    }

    [Fact]
    public void Group_Reasons_DropTheRegion()
    {
        Assert.Equal("wrong Color", RewardTraining.Group("wrong Color of the object at Left"));
        Assert.Equal("degraded: Blur", RewardTraining.Group("degraded: Blur"));
    }

    [Fact]
    public void StateDict_TinyConfig_MatchesApprovedShapes()
    {
        using var model = Tiny();

        Approval.Verify("RewardModel_Tiny", Approval.Describe(model));
    }
}
