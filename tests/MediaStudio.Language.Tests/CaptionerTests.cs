using MediaStudio.Language.Captioning;
using MediaStudio.Language.Training;
using MediaStudio.Media.Images;
using MediaStudio.Neural.Training;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Scenes;
using static TorchSharp.torch;

namespace MediaStudio.Language.Tests;

[Collection(NativeTestGroup.Name)]
public sealed class CaptionerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lang-captioner-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void Train_TinyConfig_ReducesTheLoss()
    {
        TrainingSeed.Set(1);
        var tokenizer = TestModels.Tokenizer();
        using var model = CaptionerModel.FromConfig(TestModels.TinyCaptioner(tokenizer.VocabSize));
        var options = CaptionerTraining.Recipe(40, 6) with { LearningRate = 3e-3, WarmupSteps = 5, CheckpointEvery = 0, ProgressEvery = 1 };
        var losses = new List<double>();

        CaptionerTraining.Train(model, tokenizer, options, 6, null, new SyncProgress(p => losses.Add(p.Loss)), CancellationToken.None);

        Assert.Equal(40, losses.Count);
        Assert.True(losses.TakeLast(5).Average() < losses.Take(5).Average() - 1.0, $"first {losses.Take(5).Average():F3}, last {losses.TakeLast(5).Average():F3}");
    }

    [Fact]
    public void CaptionImages_SameSeed_GivesTheSameText()
    {
        random.manual_seed(2);
        var tokenizer = TestModels.Tokenizer();
        using var pipeline = CaptionPipeline.FromModel(CaptionerModel.FromConfig(TestModels.TinyCaptioner(tokenizer.VocabSize)), tokenizer);
        var images = Enumerable.Range(0, 3).Select(s => SceneRendering.Render(SceneSampler.Sample(s))).ToList();
        var sampling = new GenerationOptions { Temperature = 1f, TopK = 50, TopP = 0.95f, MaxNewTokens = 16, Seed = 7 };

        var first = pipeline.CaptionImages(images, sampling, CancellationToken.None);
        var second = pipeline.CaptionImages(images, sampling, CancellationToken.None);
        var other = pipeline.CaptionImages(images, sampling with { Seed = 8 }, CancellationToken.None);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Load_SavedFolder_CaptionsImagesOfAnySizeAndClips()
    {
        random.manual_seed(3);
        var tokenizer = TestModels.Tokenizer();
        using (var model = CaptionerModel.FromConfig(TestModels.TinyCaptioner(tokenizer.VocabSize)))
        {
            CaptionerFolder.Save(_folder, model, TestModels.TokenizerPath);
        }

        using var pipeline = CaptionPipeline.Load(_folder);
        var options = new GenerationOptions { MaxNewTokens = 8 };
        var big = new RgbImage(100, 80);
        var small = new RgbImage(20, 30);
        var clip = ClipRenderer.RenderFrames(ClipSampler.Sample(1, frameCount: 10), [.. Enumerable.Range(0, 10)]);

        var captions = pipeline.CaptionImages([big, small, SceneRendering.Render(SceneSampler.Sample(1))], options, CancellationToken.None);
        var clipCaption = pipeline.CaptionClip(clip, options, CancellationToken.None);

        Assert.Equal(3, captions.Count);
        Assert.NotNull(clipCaption);
        Assert.Contains("vocab.json", File.ReadAllText(Path.Combine(_folder, "SHA256SUMS")), StringComparison.Ordinal);
    }

    [Fact]
    public void Train_FrozenVisionTower_KeepsItsWeights()
    {
        TrainingSeed.Set(4);
        var tokenizer = TestModels.Tokenizer();
        using var model = CaptionerModel.FromConfig(TestModels.TinyCaptioner(tokenizer.VocabSize));
        var before = model.VisionTower.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var options = CaptionerTraining.Recipe(3, 3) with { CheckpointEvery = 0 };

        CaptionerTraining.Train(model, tokenizer, options, 3, null, null, CancellationToken.None);

        foreach (var (key, value) in model.VisionTower.state_dict())
        {
            Assert.True(value.allclose(before[key], 0, 0), key);
        }
    }

    [Fact]
    public void SampleFrames_ClipOfTenFrames_TakesFirstAndLastEvenly()
    {
        Assert.Equal([0, 3, 6, 9], CaptionPipeline.SampleFrames(10, 4));
        Assert.Equal([0, 0, 0, 0], CaptionPipeline.SampleFrames(1, 4));
    }

    [Fact]
    public void Prompt_WithMotionTower_KeepsTheLengthAndTrainsOnlyTheMotionProjection()
    {
        random.manual_seed(4);
        var tokenizer = TestModels.Tokenizer();
        var config = TestModels.TinyCaptioner(tokenizer.VocabSize) with { Motion = TestModels.TinyMotion() };
        using var model = CaptionerModel.FromConfig(config);
        var clip = CaptionerTraining.Clip(5, 32, config.ClipFrames, Synthetic.World.WorldRandom.For(5, "test"));
        var image = CaptionerTraining.Image(6, 32, Synthetic.World.WorldRandom.For(6, "test"));
        using var clipPixels = CaptionerModel.ToPixels(clip.Frames, 32).view(1, config.ClipFrames, 3, 32, 32);
        using var imagePixels = CaptionerModel.ToPixels(image.Frames, 32).view(1, 1, 3, 32, 32);

        using var clipPrompt = model.Prompt(clipPixels, tokenizer.Image, tokenizer.BeginOfText);
        using var imagePrompt = model.Prompt(imagePixels, tokenizer.Image, tokenizer.BeginOfText);
        var (loss, _) = CaptionerTraining.Loss(model, tokenizer, [clip]);
        loss.backward();

        Assert.Equal(model.PromptLength(config.ClipFrames), (int)clipPrompt.shape[1]);
        Assert.Equal((config.ClipFrames * (config.TokensPerFrame + 1)) + 1, model.PromptLength(config.ClipFrames));
        Assert.Equal((config.TokensPerFrame + 1) + 1, (int)imagePrompt.shape[1]);
        var motionTower = model.named_parameters().Where(p => p.name.StartsWith("motion_tower.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(motionTower);
        Assert.All(motionTower, p => Assert.False(p.parameter.requires_grad));
        var projection = model.named_parameters().Single(p => p.name == "motion_proj.weight").parameter;
        Assert.True(projection.grad is { } grad && grad.abs().sum().item<float>() > 0, "the motion projection learns from clip captions");
    }

    [Fact]
    public void Prompt_MotionTowerOfItsOwnFrameCount_ReadsTheClipSampledToThatCount()
    {
        random.manual_seed(8);
        var tokenizer = TestModels.Tokenizer();
        var config = SixFrameTowerCaptioner(tokenizer);
        using var model = CaptionerModel.FromConfig(config);
        var clip = CaptionerTraining.Clip(5, config, Synthetic.World.WorldRandom.For(5, "test"), Synthetic.Clips.ClipMotion.Clear);
        using var pixels = CaptionerModel.ToClipPixels([clip.Frames], 32);                          // (1, 4, 3, S, S)
        using var motion = CaptionerModel.ToClipPixels([clip.MotionFrames!], 32);                   // (1, 6, 3, S, S)

        using var prompt = model.Prompt(pixels, tokenizer.Image, tokenizer.BeginOfText, motion);
        using var reversed = model.Prompt(pixels, tokenizer.Image, tokenizer.BeginOfText, motion.flip(1));
        var error = Assert.Throws<ArgumentException>(() => model.Prompt(pixels, tokenizer.Image, tokenizer.BeginOfText));
        var (loss, _) = CaptionerTraining.Loss(model, tokenizer, [clip]);
        loss.backward();

        Assert.True(config.MotionReadsOwnFrames);
        Assert.Equal((4, 6), (clip.Frames.Count, clip.MotionFrames!.Count));
        Assert.Equal(model.PromptLength(4), (int)prompt.shape[1]);
        Assert.False(prompt.allclose(reversed), "the tower's frames, not the image frames, tell the motion");
        Assert.Contains("reads clips of 6 frames, got 4", error.Message, StringComparison.Ordinal);
        var projection = model.named_parameters().Single(p => p.name == "motion_proj.weight").parameter;
        Assert.True(projection.grad is { } grad && grad.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void CaptionClip_MotionTowerOfItsOwnFrameCount_SamplesBothFrameSetsFromTheWholeClip()
    {
        random.manual_seed(9);
        var tokenizer = TestModels.Tokenizer();
        var config = SixFrameTowerCaptioner(tokenizer);
        using var pipeline = CaptionPipeline.FromModel(CaptionerModel.FromConfig(config), tokenizer);
        var frames = Synthetic.Clips.ClipRenderer.Render(Synthetic.Clips.ClipSampler.Sample(3, 32, 32)).Frames;
        var options = new GenerationOptions { MaxNewTokens = 8 };

        var caption = pipeline.CaptionClip(frames, options, CancellationToken.None);
        var explicitly = pipeline.Generate(
            [[.. CaptionPipeline.SampleFrames(frames.Count, 4).Select(i => frames[i])]], options, CancellationToken.None,
            [[.. CaptionPipeline.SampleFrames(frames.Count, 6).Select(i => frames[i])]]);
        var evaluation = CaptionerEvaluator.Evaluate(pipeline, 0, 2, Synthetic.Clips.ClipMotion.Clear, CancellationToken.None);

        Assert.Equal(tokenizer.Decode(explicitly.Tokens[0]).Trim(), caption);
        Assert.Equal(2, evaluation.Clips);
        Assert.Throws<ArgumentException>(() => pipeline.Generate([frames.Take(4).ToList()], options, CancellationToken.None));
    }

    // a captioner reading clips at 4 frames whose motion tower reads them at 6
    private static CaptionerConfig SixFrameTowerCaptioner(Tokenization.CaptionTokenizer tokenizer)
    {
        var tower = TestModels.TinyMotion() with { Frames = 6, Backbone = TestModels.TinyMotion().Backbone with { InChannels = 18 } };
        return TestModels.TinyCaptioner(tokenizer.VocabSize) with { Motion = tower, MaxCaptionTokens = 8 };
    }

    [Fact]
    public void LoadStrict_EarlierCaptionerIntoOneWithAMotionTower_NeedsTheNewKeysAllowedMissing()
    {
        random.manual_seed(5);
        var tokenizer = TestModels.Tokenizer();
        var plain = TestModels.TinyCaptioner(tokenizer.VocabSize);
        using var earlier = CaptionerModel.FromConfig(plain);
        using var grown = CaptionerModel.FromConfig(plain with { Motion = TestModels.TinyMotion() });
        var tensors = Neural.Checkpoints.StateDict.Snapshot(earlier);

        Assert.Throws<Neural.Checkpoints.CheckpointException>(() => Neural.Checkpoints.StateDict.LoadStrict(grown, tensors, "earlier"));
        Neural.Checkpoints.StateDict.LoadStrict(grown, tensors, "earlier", key => key.StartsWith("motion_", StringComparison.Ordinal));

        var decoder = "language_model.model.embed_tokens.weight";
        Assert.True(grown.state_dict()[decoder].equal(tensors[decoder]).all().item<bool>());
    }

    [Fact]
    public void Evaluate_ImagesOnly_ScoresThemAndLeavesTheClipRateEmpty()
    {
        random.manual_seed(6);
        var tokenizer = TestModels.Tokenizer();
        using var pipeline = CaptionPipeline.FromModel(CaptionerModel.FromConfig(TestModels.TinyCaptioner(tokenizer.VocabSize) with { MaxCaptionTokens = 8 }), tokenizer);

        var result = CaptionerEvaluator.Evaluate(pipeline, 2, 0, Synthetic.Clips.ClipMotion.Clear, CancellationToken.None);

        Assert.Equal((2, 0), (result.Images, result.Clips));
        Assert.NotNull(result.ImageExactMatch);
        Assert.Null(result.ClipExactMatch);
        Assert.Contains("background_kind", result.Accuracy.Keys);
        Assert.DoesNotContain("motion", result.Accuracy.Keys);
        Assert.Throws<ArgumentException>(() => CaptionerEvaluator.Evaluate(pipeline, 0, 0, Synthetic.Clips.ClipMotion.Clear, CancellationToken.None));
    }

    [Fact]
    public void Evaluate_ClipsOnly_ScoresMotionAndTheTeacherForcedPreferences()
    {
        random.manual_seed(7);
        var tokenizer = TestModels.Tokenizer();
        using var pipeline = CaptionPipeline.FromModel(CaptionerModel.FromConfig(TestModels.TinyCaptioner(tokenizer.VocabSize) with { MaxCaptionTokens = 8 }), tokenizer);

        var result = CaptionerEvaluator.Evaluate(pipeline, 0, 6, Synthetic.Clips.ClipMotion.Clear, CancellationToken.None);

        Assert.Equal(Synthetic.Clips.ClipMotion.Clear, result.Motion);
        Assert.Null(result.ImageExactMatch);
        Assert.Contains("motion", result.Accuracy.Keys);
        Assert.Contains("baseline: scale always kept", result.Accuracy.Keys);
        Assert.Contains("share: scale change true", result.Accuracy.Keys);
        var preferences = result.Accuracy.Where(kv => kv.Key.StartsWith("teacher-forced: ", StringComparison.Ordinal)).ToList();
        Assert.Contains(preferences, kv => kv.Key == "teacher-forced: direction over its opposite");  // six clear clips always hold a moving object
        Assert.All(preferences, kv => Assert.InRange(kv.Value, 0, 1));
    }

    [Fact]
    public void Recipe_WithClips_TrainsOnThatManyClipsPerStep()
    {
        var config = TestModels.TinyCaptioner();

        var options = CaptionerTraining.Recipe(10, 2, clips: 3);
        var (images, clips) = CaptionerTraining.Batch(options.Seed, 0, 2, config, options.BatchSize - 2);

        Assert.Equal((5, 2, 3), (options.BatchSize, images.Count, clips.Count));
        Assert.Equal(2 + CaptionerTraining.ClipsPerStep(2), CaptionerTraining.Recipe(10, 2).BatchSize);
    }

    private sealed class SyncProgress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
