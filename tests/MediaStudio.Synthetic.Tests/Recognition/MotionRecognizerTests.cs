using MediaStudio.Neural.Pat;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Recognition;
using MediaStudio.Synthetic.World;
using static TorchSharp.torch;

namespace MediaStudio.Synthetic.Tests.Recognition;

[Collection(NativeTestGroup.Name)]
public sealed class MotionRecognizerTests
{
    private static readonly MotionRecognizerConfig Tiny = new()
    {
        ImageSize = 32,
        Frames = 3,
        Backbone = PatNetConfig.Tiny with { InChannels = 9, FeatureDim = 0, AttentionDropout = 0, SpatialAttention = false },
    };

    [Fact]
    public void Targets_OfClips_AreEachObjectsMotionAtItsStartRegionAndIgnoreEmptyRegions()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var spec = ClipSampler.Sample(seed, 32, 32);
            var targets = MotionRecognizer.Targets(spec);
            var objects = spec.Scene.Label.Objects;

            foreach (var region in Enum.GetValues<Region>())
            {
                var parts = targets.AsSpan((int)region * 4, 4).ToArray();
                var k = objects.ToList().FindIndex(o => o.Region == region);
                if (k < 0)
                {
                    Assert.All(parts, t => Assert.Equal(AttributeHeads.Ignore, t));
                    continue;
                }

                var m = ObjectMotion.From(spec, k);
                Assert.Equal(new long[] { m.Horizontal + 1, m.Vertical + 1, m.Scale + 1, m.Rotation + 1 }, parts);
            }
        }
    }

    [Fact]
    public void Probabilities_Batch_GiveOneTriplePerPartAndRegionSummingToOne()
    {
        using var scope = NewDisposeScope();
        using var model = MotionRecognizer.FromConfig(Tiny);
        var clips = Enumerable.Range(0, 2).Select(s => ClipRenderer.RenderEvenFrames(ClipSampler.Sample(s, 32, 32), 3)).ToList();

        var probabilities = model.Probabilities(model.ToBatch(clips));              // (2, R, 12)
        var sums = probabilities.view(2, 5, 4, 3).sum(3);

        Assert.Equal([2L, 5, 12], probabilities.shape);
        Assert.True(sums.sub(1).abs().max().item<float>() < 1e-5f);
        Assert.Equal(2, model.Read(clips).Count);
        Assert.All(model.Read(clips), motions => Assert.Equal(5, motions.Count));
    }

    [Fact]
    public void Train_KilledAndResumed_ContinuesExactlyAsAnUninterruptedRun()
    {
        var folder = Path.Combine(Path.GetTempPath(), "motion-recognizer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var options = MotionRecognizerTraining.Recipe(8, 4) with { WarmupSteps = 2, CheckpointEvery = 4, ProgressEvery = 1 };
            var whole = new List<double>();
            Neural.Training.TrainingSeed.Set(3);
            using (var model = MotionRecognizer.FromConfig(Tiny))
            {
                MotionRecognizerTraining.Train(model, options, ClipMotion.Any, null, new SyncProgress(p => whole.Add(p.Loss)), CancellationToken.None);
            }

            var parts = new List<double>();
            var checkpoint = Path.Combine(folder, "checkpoint.bin");
            using var stop = new CancellationTokenSource();
            Neural.Training.TrainingSeed.Set(3);
            using (var model = MotionRecognizer.FromConfig(Tiny))
            {
                Assert.ThrowsAny<OperationCanceledException>(() => MotionRecognizerTraining.Train(
                    model, options, ClipMotion.Any, checkpoint, new SyncProgress(p => { parts.Add(p.Loss); if (p.Step == 4) { stop.Cancel(); } }), stop.Token));
            }

            using var resumed = MotionRecognizer.FromConfig(Tiny);                 // fresh weights: everything comes from the checkpoint
            var final = MotionRecognizerTraining.Train(resumed, options, ClipMotion.Any, checkpoint, new SyncProgress(p => parts.Add(p.Loss)), CancellationToken.None);

            Assert.Equal(8, final.Step);
            Assert.Equal(whole.Count, parts.Count);
            Assert.All(whole.Zip(parts), pair => Assert.Equal(pair.First, pair.Second, 4));
            Assert.All(whole, loss => Assert.True(double.IsFinite(loss) && loss > 0));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Validate_BackboneNotReadingEveryFrame_NamesTheChannels()
    {
        var wrong = Tiny with { Backbone = Tiny.Backbone with { InChannels = 3 } };

        var error = Assert.Throws<ArgumentException>(wrong.Validate);

        Assert.Contains("in_channels must be 3 x 3 = 9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Siamese_Batch_EncodesEachFrameWithSharedWeightsAndGivesProbabilities()
    {
        using var scope = NewDisposeScope();
        var frame = PatNetConfig.Tiny with { FeatureDim = 0, AttentionDropout = 0, SpatialAttention = false, SelfAttention = false };
        var config = Tiny with
        {
            FrameBackbone = frame,
            Backbone = PatNetConfig.Tiny with { InChannels = 3 * frame.StageWidth(frame.StageCount - 1), Depths = [1, 1], PatchSize = 1, PatchStride = 1, FeatureDim = 0, AttentionDropout = 0 },
        };
        using var model = MotionRecognizer.FromConfig(config);
        var clips = Enumerable.Range(0, 2).Select(s => ClipRenderer.RenderEvenFrames(ClipSampler.Sample(s, 32, 32, motion: ClipMotion.Clear), 3)).ToList();
        var batch = model.ToBatch(clips);

        var probabilities = model.Probabilities(batch);                             // (2, R, 12)
        var swapped = model.Probabilities(batch.flip(1));                            // the same frames, reversed in time

        Assert.Equal([2L, 5, 12], probabilities.shape);
        Assert.True(probabilities.view(2, 5, 4, 3).sum(3).sub(1).abs().max().item<float>() < 1e-5f);
        Assert.Contains(model.named_parameters(), p => p.name.StartsWith("frame_encoder.", StringComparison.Ordinal));
        Assert.False(probabilities.allclose(swapped), "the readout must see which frame came first");
    }

    [Fact]
    public void Validate_SiameseBackboneNotReadingEveryFrameMap_NamesTheChannels()
    {
        var siamese = MotionRecognizerConfig.Siamese(4);
        siamese.Validate();
        var wrong = siamese with { Backbone = siamese.Backbone with { InChannels = 12 } };

        var error = Assert.Throws<ArgumentException>(wrong.Validate);

        Assert.Contains("backbone.in_channels = 4 x 128 = 512", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, siamese.FinalMapSide);
    }

    private sealed class SyncProgress(Action<Neural.Training.TrainingProgress> action) : IProgress<Neural.Training.TrainingProgress>
    {
        public void Report(Neural.Training.TrainingProgress value) => action(value);
    }
}
