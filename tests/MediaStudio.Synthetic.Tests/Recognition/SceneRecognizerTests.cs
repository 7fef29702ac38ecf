using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Pat;
using MediaStudio.Synthetic.Recognition;
using MediaStudio.Synthetic.Scenes;
using static TorchSharp.torch;

namespace MediaStudio.Synthetic.Tests.Recognition;

[Collection(NativeTestGroup.Name)]
public sealed class SceneRecognizerTests
{
    private static readonly RecognizerConfig Tiny = new()
    {
        ImageSize = 32,
        Backbone = PatNetConfig.Tiny with { FeatureDim = 0, AttentionDropout = 0, SpatialAttention = false },
    };

    [Fact]
    public void Targets_ThenDecode_GivesTheLabelBack()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var label = SceneSampler.Sample(seed).Label;
            var classes = AttributeHeads.Targets(label).Select((t, h) => t == AttributeHeads.Ignore ? 0 : (int)t).ToList();

            Assert.Equal((label.Clean() with { Relation = null }).ToJson(), AttributeHeads.Decode(classes).ToJson());
        }
    }

    [Fact]
    public void Forward_Batch_GivesOneLogitPerHeadClass()
    {
        using var scope = NewDisposeScope();
        using var model = SceneRecognizer.FromConfig(Tiny);
        var images = Enumerable.Range(0, 3).Select(s => SceneRendering.Render(SceneSampler.Sample(s), 32, 32)).ToList();

        var logits = model.forward(SceneRecognizer.ToBatch(images, 32));

        Assert.Equal([3L, AttributeHeads.TotalLogits], logits.shape);
        Assert.Equal(3, model.Recognize(images).Count);
    }

    [Fact]
    public void Train_FewSteps_LowersTheLossAndResumesFromTheCheckpoint()
    {
        var folder = Directory.CreateTempSubdirectory("mediastudio-recognizer-").FullName;
        try
        {
            var checkpoint = Path.Combine(folder, "checkpoint.bin");
            var options = RecognizerTraining.Recipe(30, 8) with { LearningRate = 3e-3, WarmupSteps = 2, CheckpointEvery = 10 };
            using var model = SceneRecognizer.FromConfig(Tiny);
            var (images, targets) = RecognizerTraining.TrainingBatch(options.Seed, 0, 8, 32);
            double LossOnFirstBatch()
            {
                using var s = NewDisposeScope();
                using var noGrad = no_grad();
                model.eval();
                return SceneRecognizer.Loss(model.forward(SceneRecognizer.ToBatch(images, 32)), tensor(targets, [8, AttributeHeads.Heads.Count])).item<float>();
            }

            var before = LossOnFirstBatch();
            RecognizerTraining.Train(model, options with { TotalSteps = 20 }, checkpoint, null, TestContext.Current.CancellationToken);
            var progress = RecognizerTraining.Train(model, options, checkpoint, null, TestContext.Current.CancellationToken);

            Assert.Equal(30, progress.Step);
            Assert.True(LossOnFirstBatch() < before, "training did not lower the loss");
            ModelFolder.Save(Path.Combine(folder, "model"), model, Tiny);
            using var loaded = ModelFolder.FromPretrained<SceneRecognizer, RecognizerConfig>(Path.Combine(folder, "model"), c => new SceneRecognizer(c));
            var evaluation = RecognizerTraining.Evaluate(loaded, 16, 8);
            Assert.Contains("shape", evaluation.Accuracy.Keys);
            Assert.All(evaluation.Accuracy.Values, v => Assert.InRange(v, 0, 1));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void PromptAdherence_Compare_ScoresEachAttribute()
    {
        var prompt = SceneSampler.Sample(5).Label;
        var perfect = PromptAdherence.Compare(prompt, prompt.Clean() with { Relation = null });
        var wrongShape = prompt with { Objects = [.. prompt.Objects.Select((o, k) => k == 0 ? o with { Shape = o.Shape == World.Shape.Star ? World.Shape.Heart : World.Shape.Star } : o)] };

        var score = PromptAdherence.Compare(prompt, wrongShape);

        Assert.True(perfect.AllCorrect);
        Assert.False(score.AllCorrect);
        Assert.Equal(1 - (1.0 / prompt.Objects.Count), score.PerAttribute["shape"], 9);
        Assert.Equal(1.0, score.PerAttribute["color"]);
    }
}
