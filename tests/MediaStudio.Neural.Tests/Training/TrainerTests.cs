using System.Runtime.InteropServices;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Pat;
using MediaStudio.Neural.Training;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Training;

[Collection(NativeTestGroup.Name)]
public sealed class TrainerTests
{
    private static readonly TrainingOptions Options = new()
    {
        LearningRate = 1e-2,
        MinLearningRate = 1e-3,
        WarmupSteps = 3,
        TotalSteps = 12,
        EmaDecay = 0.9,
        Seed = 1234,
        CheckpointEvery = 4,
        ProgressEvery = 2,
        BatchSize = 8,
    };

    private sealed class ListProgress : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];

        public Action<TrainingProgress>? OnReport { get; init; }

        public void Report(TrainingProgress value)
        {
            Reports.Add(value);
            OnReport?.Invoke(value);
        }
    }

    // an MLP with dropout, so the torch RNG state matters for determinism
    private static nn.Module<Tensor, Tensor> Mlp(long initSeed)
    {
        manual_seed(initSeed);
        return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 1));
    }

    // the batch depends only on (seed, step), so a resumed run sees the same data
    private static Tensor RegressionLoss(nn.Module<Tensor, Tensor> model, long step)
    {
        var generator = new Generator(TrainingSeed.ForStep(Options.Seed, step));
        var x = randn(8, 4, generator: generator);
        var y = x.sum(1, keepdim: true).sin();
        return nn.functional.mse_loss(model.forward(x), y);
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module model) => StateDict.Snapshot(model);

    private static void AssertSameWeights(nn.Module uninterrupted, nn.Module other)
    {
        var expected = Snapshot(uninterrupted);
        foreach (var (key, value) in Snapshot(other))
        {
            Assert.True(value.eq(expected[key]).all().item<bool>(), $"parameter {key} differs from the uninterrupted run");
        }
    }

    // a real error raised inside libtorch (TorchSharp surfaces it as ExternalException)
    private static Tensor LibTorchError() => zeros(2).view(3);

    [Fact]
    public void WithPeakLearningRate_GivenOrNull_SetsPeakAndKeepsTheFloorBelowATenth()
    {
        var recipe = new TrainingOptions { LearningRate = 1e-3, MinLearningRate = 5e-5, TotalSteps = 10 };

        Assert.Same(recipe, recipe.WithPeakLearningRate(null));
        var lower = recipe.WithPeakLearningRate(3e-4);
        var higher = recipe.WithPeakLearningRate(2e-3);
        Assert.Equal(3e-4, lower.LearningRate);
        Assert.Equal(3e-5, lower.MinLearningRate, 1e-12);                            // a tenth of the new peak
        Assert.Equal((2e-3, 5e-5), (higher.LearningRate, higher.MinLearningRate));    // the recipe's floor is already lower
    }

    [Fact]
    public void Run_TinyClassification_LossDecreases()
    {
        using var scope = NewDisposeScope();
        manual_seed(61);
        using var model = PatClassifier.FromConfig(PatNetConfig.Tiny with { NumClasses = 2, AttentionDropout = 0 });
        // class 1 images are bright in the top half, class 0 in the bottom half
        var x = randn(8, 3, 16, 16, generator: new Generator(62)) * 0.3f;
        var labels = tensor(new long[] { 0, 1, 0, 1, 0, 1, 0, 1 });
        var top = zeros(8, 1, 16, 1);
        top[TensorIndex.Slice(), TensorIndex.Slice(), TensorIndex.Slice(0, 8)] = labels.view(8, 1, 1, 1).to(float32);
        x += (top * 2) - 1;
        var options = Options with { TotalSteps = 30, WarmupSteps = 2, EmaDecay = 0, CheckpointEvery = 0, ProgressEvery = 1 };
        using var trainer = new Trainer(model, options);
        var progress = new ListProgress();

        trainer.Run(_ => nn.functional.cross_entropy(model.forward(x), labels), progress, TestContext.Current.CancellationToken);

        var first = progress.Reports[0].Loss;
        var last = progress.Reports[^1].Loss;
        Assert.Equal(30, progress.Reports.Count);
        Assert.True(last < 0.5 * first, $"loss went from {first} to {last}");
    }

    [Fact]
    public void TryResume_AfterKilledRun_ContinuesFromSavedStepAndMatchesUninterruptedRun()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();

        // uninterrupted reference
        using var reference = Mlp(initSeed: 7);
        using (var trainer = new Trainer(reference, Options))
        {
            trainer.Run(step => RegressionLoss(reference, step), null, TestContext.Current.CancellationToken);
            Assert.Equal(12, trainer.Step);
        }

        // a run that dies at step 6: the last checkpoint is the one written after step 4
        var path = folder.File("checkpoint.safetensors");
        using var killed = Mlp(initSeed: 7);
        using (var trainer = new Trainer(killed, Options, path))
        {
            Assert.Throws<InvalidProgramException>(() => trainer.Run(step =>
                step == 6 ? throw new InvalidProgramException("process killed") : RegressionLoss(killed, step), null, TestContext.Current.CancellationToken));
        }

        // a new process: different initial weights, resumes from the file
        using var resumed = Mlp(initSeed: 99);
        using var resumedTrainer = new Trainer(resumed, Options, path);
        Assert.True(resumedTrainer.TryResume());
        Assert.Equal(4, resumedTrainer.Step);
        var progress = new ListProgress();
        resumedTrainer.Run(step => RegressionLoss(resumed, step), progress, TestContext.Current.CancellationToken);

        Assert.Equal(new long[] { 6, 8, 10, 12 }, progress.Reports.Select(r => r.Step));
        AssertSameWeights(reference, resumed);

        Assert.Equal(12, resumedTrainer.Ema!.Updates);
    }

    [Fact]
    public void Run_NativeErrorMidRun_GoesBackToTheCheckpointAndMatchesUninterruptedRun()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var reference = Mlp(initSeed: 21);
        using (var trainer = new Trainer(reference, Options))
        {
            trainer.Run(step => RegressionLoss(reference, step), null, TestContext.Current.CancellationToken);
        }

        // step 6 fails once inside libtorch, after the checkpoint of step 4: the run goes back to step 4 and goes on
        using var model = Mlp(initSeed: 21);
        using var recovering = new Trainer(model, Options, folder.File("checkpoint.safetensors"));
        var failed = false;
        var progress = new ListProgress();
        recovering.Run(
            step =>
            {
                if (step == 6 && !failed)
                {
                    failed = true;
                    return LibTorchError();
                }

                return RegressionLoss(model, step);
            },
            progress,
            TestContext.Current.CancellationToken);

        Assert.Equal(1, recovering.Recoveries);
        Assert.Equal(12, recovering.Step);
        Assert.EndsWith("(recovered 1x)", progress.Reports[^1].Describe(), StringComparison.Ordinal);
        AssertSameWeights(reference, model);

        Assert.Equal(12, recovering.Ema!.Updates);
    }

    [Fact]
    public void Run_NativeErrorEveryTime_GivesUpAfterTheLastRecovery()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var model = Mlp(initSeed: 22);
        using var trainer = new Trainer(model, Options, folder.File("checkpoint.safetensors"));
        var attempts = 0;

        Tensor FailAtStep5(long step)
        {
            if (step != 5)
            {
                return RegressionLoss(model, step);
            }

            attempts++;
            return LibTorchError();
        }

        Assert.Throws<ExternalException>(() => trainer.Run(FailAtStep5, null, TestContext.Current.CancellationToken));

        Assert.Equal(Trainer.MaxRecoveries + 1, attempts);
        Assert.Equal(Trainer.MaxRecoveries, trainer.Recoveries);
    }

    [Fact]
    public void Run_NativeErrorWithoutCheckpoint_Throws()
    {
        using var scope = NewDisposeScope();
        using var model = Mlp(initSeed: 23);
        using var trainer = new Trainer(model, Options);

        Assert.Throws<ExternalException>(() => trainer.Run(
            step => step == 2 ? LibTorchError() : RegressionLoss(model, step),
            null,
            TestContext.Current.CancellationToken));
        Assert.Equal(0, trainer.Recoveries);
    }

    [Fact]
    public void TryResume_EmaAndOptimizer_MatchUninterruptedRun()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var reference = Mlp(initSeed: 8);
        using var referenceTrainer = new Trainer(reference, Options);
        referenceTrainer.Run(step => RegressionLoss(reference, step), null, TestContext.Current.CancellationToken);

        var path = folder.File("checkpoint.safetensors");
        using var first = Mlp(initSeed: 8);
        using (var trainer = new Trainer(first, Options with { TotalSteps = 12 }, path))
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            var progress = new ListProgress { OnReport = r => { if (r.Step == 6) { cancel.Cancel(); } } };
            Assert.Throws<OperationCanceledException>(() => trainer.Run(step => RegressionLoss(first, step), progress, cancel.Token));
        }

        using var second = Mlp(initSeed: 8);
        using var secondTrainer = new Trainer(second, Options, path);
        Assert.True(secondTrainer.TryResume());
        Assert.Equal(6, secondTrainer.Step); // cancellation saves before stopping
        secondTrainer.Run(step => RegressionLoss(second, step), null, TestContext.Current.CancellationToken);

        foreach (var (key, value) in referenceTrainer.Ema!.Shadow)
        {
            Assert.True(value.eq(secondTrainer.Ema!.Shadow[key]).all().item<bool>(), $"EMA of {key} differs");
        }
    }

    [Fact]
    public void TryResume_LeftoverTempFileFromKilledSave_IsIgnored()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var path = folder.File("checkpoint.safetensors");
        using var model = Mlp(initSeed: 9);
        using (var trainer = new Trainer(model, Options with { TotalSteps = 4 }, path))
        {
            trainer.Run(step => RegressionLoss(model, step), null, TestContext.Current.CancellationToken);
        }

        // what a process killed in the middle of the next save leaves behind
        File.WriteAllBytes(folder.File(".checkpoint.safetensors.0123456789abcdef.tmp"), new byte[100]);
        using var again = Mlp(initSeed: 10);
        using var trainer2 = new Trainer(again, Options with { TotalSteps = 4 }, path);

        Assert.True(trainer2.TryResume());
        Assert.Equal(4, trainer2.Step);
    }

    [Fact]
    public void TryResume_TruncatedCheckpoint_FailsWithByteOffset()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var path = folder.File("checkpoint.safetensors");
        using var model = Mlp(initSeed: 11);
        using (var trainer = new Trainer(model, Options with { TotalSteps = 4 }, path))
        {
            trainer.Run(step => RegressionLoss(model, step), null, TestContext.Current.CancellationToken);
        }

        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^10]);
        using var trainer2 = new Trainer(Mlp(initSeed: 12), Options, path);

        var error = Assert.Throws<CheckpointException>(() => trainer2.TryResume());

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.Contains("byte offset", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Progress_ReportsScheduleLossThroughputAndEta()
    {
        using var scope = NewDisposeScope();
        using var model = Mlp(initSeed: 13);
        using var trainer = new Trainer(model, Options with { EmaDecay = 0, CheckpointEvery = 0 });
        var progress = new ListProgress();

        var last = trainer.Run(step => RegressionLoss(model, step), progress, TestContext.Current.CancellationToken);

        var schedule = WarmupCosineSchedule.From(Options);
        Assert.Equal(new long[] { 2, 4, 6, 8, 10, 12 }, progress.Reports.Select(r => r.Step));
        Assert.All(progress.Reports, r =>
        {
            Assert.Equal(schedule.At(r.Step - 1), r.LearningRate, 12);
            Assert.True(double.IsFinite(r.Loss) && r.Loss > 0);
            Assert.True(r.StepsPerSecond > 0);
            Assert.Equal(r.StepsPerSecond * 8, r.SamplesPerSecond!.Value, 9);
            Assert.NotNull(r.Eta);
        });
        Assert.Equal(TimeSpan.Zero, last.Eta);
        Assert.Equal(1.0, last.Fraction);
        Assert.All(trainer.Optimizer.ParamGroups, g => Assert.Equal(schedule.At(11), g.LearningRate, 12));
        Assert.StartsWith("step 12/12 loss ", last.Describe(), StringComparison.Ordinal);
        Assert.EndsWith("ETA 00:00:00", last.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NaNLoss_StopsNamingTheStep()
    {
        using var scope = NewDisposeScope();
        using var model = Mlp(initSeed: 14);
        using var trainer = new Trainer(model, Options with { EmaDecay = 0 });

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Run(step =>
            step == 3 ? RegressionLoss(model, step) * float.NaN : RegressionLoss(model, step), null, TestContext.Current.CancellationToken));

        Assert.Contains("at step 3", error.Message, StringComparison.Ordinal);
    }
}
