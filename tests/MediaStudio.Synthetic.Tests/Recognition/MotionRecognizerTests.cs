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

    private static readonly MotionRecognizerConfig SiameseTiny = SiameseOf(Tiny);

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
        using var model = MotionRecognizer.FromConfig(SiameseTiny);
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

    [Fact]
    public void PoseTargets_MarkEachObjectsCentreCellWithItsOrientationUnderItsSymmetryAndLogRadius()
    {
        const int Side = 8;
        for (var seed = 0; seed < 30; seed++)
        {
            var spec = ClipSampler.Sample(seed, 64, 64, motion: ClipMotion.Clear);
            var (targets, mask) = MotionRecognizer.PoseTargets(spec, 4, Side);
            var frames = ClipRenderer.EvenFrames(spec.FrameCount, 4);
            var objects = spec.Scene.Label.Objects;

            Assert.Equal(4 * Side * Side * 3, targets.Length);
            for (var f = 0; f < 4; f++)
            {
                var (cx, cy) = spec.Camera(frames[f]);
                var cells = objects.Select((o, k) => (k, pose: spec.Tracks[k].At(spec.Time(frames[f]))))
                    .Select(x => (x.k, x.pose, i: (int)Math.Floor((x.pose.Y - cy) / 8), j: (int)Math.Floor((x.pose.X - cx) / 8)))
                    .ToList();
                foreach (var (k, pose, i, j) in cells.Where(c => c.i is >= 0 and < Side && c.j is >= 0 and < Side))
                {
                    if (cells.Any(c => c.k > k && c.i == i && c.j == j))
                    {
                        continue;                                                   // the object in front holds the cell
                    }

                    var at = ((((f * Side) + i) * Side) + j) * 3;
                    var m = ObjectMotion.SymmetryOrder(objects[k].Shape);
                    Assert.Equal(1f, mask[at + 2]);
                    Assert.Equal(Math.Log(pose.Radius / 8), targets[at + 2], 4);
                    Assert.Equal(m > 0 ? 1f : 0f, mask[at]);
                    if (m > 0)
                    {
                        Assert.Equal(Math.Cos(m * pose.Rotation), targets[at], 4);
                        Assert.Equal(Math.Sin(m * pose.Rotation), targets[at + 1], 4);
                    }
                }

                var marked = Enumerable.Range(0, Side * Side).Count(c => mask[(((f * Side * Side) + c) * 3) + 2] > 0);
                Assert.Equal(cells.Where(c => c.i is >= 0 and < Side && c.j is >= 0 and < Side).Select(c => (c.i, c.j)).Distinct().Count(), marked);
            }
        }
    }

    [Fact]
    public void PoseTurn_OfTheTrueTargets_IsTheTracksTurn()
    {
        const int Side = 8;
        const int Frames = 6;
        var checkedTurns = 0;
        for (var seed = 0; seed < 40; seed++)
        {
            var spec = ClipSampler.Sample(seed, 64, 64, motion: ClipMotion.Clear);
            var (targets, _) = MotionRecognizer.PoseTargets(spec, Frames, Side);
            var frames = ClipRenderer.EvenFrames(spec.FrameCount, Frames);
            var objects = spec.Scene.Label.Objects;
            for (var k = 0; k < objects.Count; k++)
            {
                var turn = MotionRecognizer.PoseTurn(targets, spec, k, Frames, Side);
                var m = ObjectMotion.SymmetryOrder(objects[k].Shape);
                var cells = frames.Select(f => MotionRecognizer.PoseCell(spec, f, k, Side)).ToList();
                if (m == 0 || cells.Contains(null))
                {
                    Assert.Null(turn);
                    continue;
                }

                var shared = frames.Select((f, t) => Enumerable.Range(k + 1, objects.Count - k - 1).Any(o => MotionRecognizer.PoseCell(spec, f, o, Side) == cells[t])).Any(x => x);
                if (shared)
                {
                    continue;                                                       // an object in front holds a cell
                }

                var track = spec.Tracks[k];
                Assert.Equal(track.End.Rotation - track.Start.Rotation, turn!.Value, 3);
                checkedTurns++;
            }
        }

        Assert.True(checkedTurns >= 20, $"{checkedTurns} turns checked");
    }

    [Fact]
    public void PoseTargets_EveryObjectTurnedByOneSymmetryPeriod_AreUnchanged()
    {
        var spec = Enumerable.Range(0, 200).Select(s => ClipSampler.Sample(s, 64, 64)).First(s => s.Scene.Label.Objects.Select(o => o.Shape).Distinct().Count() >= 2);
        var turned = spec with
        {
            Tracks = [.. spec.Tracks.Select((t, k) =>
            {
                var m = Math.Max(1, ObjectMotion.SymmetryOrder(spec.Scene.Label.Objects[k].Shape));
                var period = 2 * Math.PI / m;
                return t with { Start = t.Start with { Rotation = t.Start.Rotation + period }, End = t.End with { Rotation = t.End.Rotation + period } };
            })],
        };

        var (a, maskA) = MotionRecognizer.PoseTargets(spec, 6, 8);
        var (b, maskB) = MotionRecognizer.PoseTargets(turned, 6, 8);

        Assert.Equal(maskA, maskB);
        Assert.All(a.Zip(b), pair => Assert.Equal(pair.First, pair.Second, 4));
        Assert.Contains(maskA, v => v > 0);
    }

    [Fact]
    public void ForwardWithPose_SiameseWithPoseWeight_GivesAPoseMapPerFrameThatTheLossTrains()
    {
        using var scope = NewDisposeScope();
        var config = SiameseTiny with { PoseWeight = 1 };
        using var model = MotionRecognizer.FromConfig(config);
        var specs = Enumerable.Range(0, 2).Select(s => ClipSampler.Sample(s, 32, 32, motion: ClipMotion.Clear)).ToList();
        var batch = model.ToBatch([.. specs.Select(s => ClipRenderer.RenderEvenFrames(s, 3))]);
        var side = config.ImageSize / config.FrameStride;

        var (logits, pose) = model.ForwardWithPose(batch);
        var poses = specs.Select(s => MotionRecognizer.PoseTargets(s, 3, side)).ToList();
        long[] shape = [2, 3, side, side, 3];
        var loss = MotionRecognizer.PoseLoss(pose!, tensor([.. poses.SelectMany(p => p.Targets)], shape), tensor([.. poses.SelectMany(p => p.Mask)], shape));
        loss.backward();

        Assert.Equal([2L, 3, side, side, 3], pose!.shape);
        Assert.Equal(model.forward(batch).data<float>().ToArray(), logits.data<float>().ToArray());
        var head = model.named_parameters().Where(p => p.name.StartsWith("pose_head.", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, head.Count);
        Assert.All(head, p => Assert.True(p.parameter.grad is { } g && g.abs().sum().item<float>() > 0, p.name));
        using var plain = MotionRecognizer.FromConfig(SiameseTiny);
        Assert.Null(plain.ForwardWithPose(batch).Pose);
        Assert.DoesNotContain(plain.named_parameters(), p => p.name.StartsWith("pose_head.", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_PoseWeightWithoutFrameBackbone_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>((Tiny with { PoseWeight = 1 }).Validate);

        Assert.Contains("pose_weight", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_WithoutPoseWeight_SerialisesAsTheBundledModelsDo()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(MotionRecognizerConfig.Siamese(4));
        var withPose = System.Text.Json.JsonSerializer.Serialize(MotionRecognizerConfig.Siamese(6) with { PoseWeight = 0.5 });

        Assert.DoesNotContain("pose_weight", json, StringComparison.Ordinal);
        Assert.Equal(0.5, System.Text.Json.JsonSerializer.Deserialize<MotionRecognizerConfig>(withPose)!.PoseWeight);
        Assert.Equal(0, System.Text.Json.JsonSerializer.Deserialize<MotionRecognizerConfig>(json)!.PoseWeight);
    }

    private static MotionRecognizerConfig SiameseOf(MotionRecognizerConfig tiny)
    {
        var frame = PatNetConfig.Tiny with { FeatureDim = 0, AttentionDropout = 0, SpatialAttention = false, SelfAttention = false };
        return tiny with
        {
            FrameBackbone = frame,
            Backbone = PatNetConfig.Tiny with { InChannels = tiny.Frames * frame.StageWidth(frame.StageCount - 1), Depths = [1, 1], PatchSize = 1, PatchStride = 1, FeatureDim = 0, AttentionDropout = 0 },
        };
    }

    private sealed class SyncProgress(Action<Neural.Training.TrainingProgress> action) : IProgress<Neural.Training.TrainingProgress>
    {
        public void Report(Neural.Training.TrainingProgress value) => action(value);
    }
}
