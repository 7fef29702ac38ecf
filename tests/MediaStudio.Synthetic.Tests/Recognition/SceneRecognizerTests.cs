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
    public void ToBatch_NoImages_IsAnEmptyBatchOfTheSize()
    {
        using var scope = NewDisposeScope();

        var batch = SceneRecognizer.ToBatch([], 32);

        Assert.Equal([0L, 3, 32, 32], batch.shape);
        Assert.Equal(ScalarType.Float32, batch.dtype);
    }

    [Fact]
    public void Recognize_NoImages_ReturnsNoLabels()
    {
        using var scope = NewDisposeScope();
        using var model = SceneRecognizer.FromConfig(Tiny);

        Assert.Empty(model.Recognize([]));
    }

    [Fact]
    public void FromConfig_FreshModel_ChannelsOfTheLastStageDiffer()
    {
        // regression: a constant weight init made every channel equal, and training never broke that symmetry
        using var scope = NewDisposeScope();
        using var model = SceneRecognizer.FromConfig(Tiny, new Generator(1));
        var encoder = model.named_children().Single(c => c.name == "encoder").module as PatEncoder;
        var images = Enumerable.Range(0, 4).Select(s => SceneRendering.Render(SceneSampler.Sample(s), 32, 32)).ToList();

        using var features = encoder!.Encode(SceneRecognizer.ToBatch(images, 32), includeFeatureMaps: true);
        var map = features.FeatureMaps[^1].select(0, 0).flatten(1);                 // (C, s*s)
        var channels = map.shape[0];
        var distinct = Enumerable.Range(0, (int)channels)
            .Select(c => string.Join(",", map[c].data<float>().ToArray().Select(v => MathF.Round(v, 4))))
            .Distinct()
            .Count();

        Assert.Equal(channels, distinct);
    }

    [Fact]
    public void ToBatch_FlatScene_CarriesTheLabelledBackgroundColourPerChannel()
    {
        // the pixels fed to the network are the labelled scene's, in (R, G, B) planes scaled to [-1, 1]
        var sample = Enumerable.Range(0, 500).Select(s => SceneSampler.Sample(s))
            .First(s => s.Label.Background.Kind == World.BackgroundKind.Flat && s.Label.Degradations.Count == 0);
        var image = SceneRendering.Render(sample, 32, 32);
        using var batch = SceneRecognizer.ToBatch([image], 32);                     // (1, 3, 32, 32)

        for (var c = 0; c < 3; c++)
        {
            var corner = image.Pixels[c];
            Assert.Equal((corner / 127.5f) - 1f, batch[0, c, 0, 0].item<float>(), 5);
        }

        var (r, g, b) = World.Palette.Rgb(sample.Label.Background.Color);
        Assert.InRange(Math.Abs(image.Pixels[0] - r) + Math.Abs(image.Pixels[1] - g) + Math.Abs(image.Pixels[2] - b), 0, 60);
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

    [Fact]
    public void PromptAdherence_Compare_ScoresPlacementApartFromTheObject()
    {
        var prompt = new SceneLabel(
            new BackgroundSpec(World.BackgroundKind.Flat, World.NamedColor.Gray, null),
            [new ObjectSpec(World.Shape.Star, World.NamedColor.Red, World.SizeClass.Large, World.Region.Left, World.Texture.None)],
            null,
            []);
        var misplaced = prompt with { Objects = [prompt.Objects[0] with { Region = World.Region.Right }] };

        var placed = PromptAdherence.Compare(prompt, misplaced);
        var anyPlace = PromptAdherence.Compare(prompt, misplaced, anyPlace: true);

        Assert.Equal(0.0, placed.PerAttribute["region"]);
        Assert.Equal(0.0, placed.PerAttribute["shape"]);
        Assert.False(placed.AllCorrect);
        Assert.False(anyPlace.PerAttribute.ContainsKey("region"));
        Assert.Equal(1.0, anyPlace.PerAttribute["shape"]);
        Assert.True(anyPlace.AllCorrect);
        Assert.Equal(1.0, PromptAdherence.Compare(prompt, prompt).PerAttribute["region"]);
    }
}
