using System.Runtime.InteropServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Training;

/// <summary>The optimisation loop every <c>train</c> command reuses: AdamW, warm-up + cosine, clipping, EMA, checkpoints, progress.</summary>
/// <remarks>
/// One step: set lr from the schedule, zero the gradients, compute the caller's loss, backward, clip the global norm,
/// AdamW step, EMA update. The caller's loss function receives the 0-based step, so batches drawn from
/// <see cref="TrainingSeed.ForStep"/> make a resumed run see exactly the batches an uninterrupted one would.
/// Checkpoints go to one file replaced atomically every <see cref="TrainingOptions.CheckpointEvery"/> steps, at the
/// end and on cancellation; a process killed in between resumes from the last one with <see cref="TryResume"/>.
/// A step that fails inside libtorch (an <see cref="ExternalException"/>) sends the run back to its last checkpoint,
/// up to <see cref="MaxRecoveries"/> times per run, instead of ending it: TorchSharp 0.107 can finalize a
/// <c>Scalar</c> temporary while libtorch still reads it, which fails a random step of a long run once in a few hours
/// ("Unknown scalar type"). Since batches depend on the step only, the recovered run equals an uninterrupted one.
/// </remarks>
public sealed class Trainer : IDisposable
{
    private readonly nn.Module _model;
    private readonly TrainingOptions _options;
    private readonly string? _checkpointPath;
    private readonly TimeProvider _time;
    private readonly WarmupCosineSchedule _schedule;
    private bool _seeded;

    /// <summary>Creates the trainer and its optimizer; does not touch the model's weights.</summary>
    /// <param name="model">Model to train (already on its device).</param>
    /// <param name="options">Validated training options.</param>
    /// <param name="checkpointPath">Checkpoint file, or null to train without checkpoints.</param>
    /// <param name="timeProvider">Clock for throughput and ETA; the system clock when null.</param>
    public Trainer(nn.Module model, TrainingOptions options, string? checkpointPath = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        _options = options;
        _checkpointPath = checkpointPath;
        _time = timeProvider ?? TimeProvider.System;
        _schedule = WarmupCosineSchedule.From(options);
        Optimizer = CreateOptimizer(model, options);
        Ema = options.EmaDecay > 0 ? new ExponentialMovingAverage(model, options.EmaDecay, options.EmaWarmup) : null;
    }

    /// <summary>Gets the AdamW optimizer (decay group first, no-decay group second).</summary>
    public AdamW Optimizer { get; }

    /// <summary>Gets the EMA of the weights, or null when <see cref="TrainingOptions.EmaDecay"/> is 0.</summary>
    public ExponentialMovingAverage? Ema { get; }

    /// <summary>The most times one <see cref="Run"/> goes back to the last checkpoint after a native error.</summary>
    public const int MaxRecoveries = 3;

    /// <summary>Gets the number of completed steps.</summary>
    public long Step { get; private set; }

    /// <summary>Gets how many times this trainer went back to its last checkpoint after a native error.</summary>
    public int Recoveries { get; private set; }

    /// <summary>Creates AdamW with weight decay on parameters of two or more dimensions and none on biases and norms (nanoGPT).</summary>
    /// <param name="model">Model whose trainable parameters are optimised.</param>
    /// <param name="options">Learning rate, betas, eps and weight decay.</param>
    /// <returns>The optimizer.</returns>
    public static AdamW CreateOptimizer(nn.Module model, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        var decay = trainable.Where(p => p.dim() >= 2).ToList();
        var noDecay = trainable.Where(p => p.dim() < 2).ToList();
        var groups = new List<AdamW.ParamGroup>
        {
            new(decay, options.LearningRate, options.Beta1, options.Beta2, options.Eps, options.WeightDecay, false, false),
            new(noDecay, options.LearningRate, options.Beta1, options.Beta2, options.Eps, 0, false, false),
        };
        return optim.AdamW(groups, options.LearningRate, options.Beta1, options.Beta2, options.Eps, options.WeightDecay);
    }

    /// <summary>Restores model, EMA, optimizer, RNG state and step from the checkpoint file if it exists.</summary>
    /// <returns>True when a checkpoint was loaded.</returns>
    public bool TryResume()
    {
        if (_checkpointPath is null || !File.Exists(_checkpointPath))
        {
            return false;
        }

        var info = TrainingCheckpoint.Load(_checkpointPath, _model, Optimizer, Ema);
        if (info.Seed != _options.Seed)
        {
            throw new ArgumentException($"the checkpoint was trained with seed {info.Seed}, the options say {_options.Seed}");
        }

        Step = info.Step;
        _seeded = true; // the RNG state came from the checkpoint
        return true;
    }

    /// <summary>Writes the checkpoint now (no-op without a checkpoint path).</summary>
    public void SaveCheckpoint()
    {
        if (_checkpointPath is not null)
        {
            TrainingCheckpoint.Save(_checkpointPath, new TrainingState(_model, Optimizer, Ema, Step, _options.Seed));
        }
    }

    /// <summary>Trains until <see cref="TrainingOptions.TotalSteps"/> steps are done.</summary>
    /// <param name="lossAtStep">Computes the scalar loss (with its graph) for a 0-based step.</param>
    /// <param name="progress">Receives progress reports, or null.</param>
    /// <param name="cancellationToken">Stops after the current step; a checkpoint is saved before the exception.</param>
    /// <returns>The last progress report.</returns>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite; the message names the step.</exception>
    /// <exception cref="ExternalException">libtorch failed with no checkpoint to go back to, or more than <see cref="MaxRecoveries"/> times.</exception>
    public TrainingProgress Run(Func<long, Tensor> lossAtStep, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lossAtStep);
        if (!_seeded)
        {
            TrainingSeed.Set(_options.Seed);
            _seeded = true;
        }

        _model.train();
        var started = _time.GetTimestamp();
        var firstStep = Step;
        var last = Report(double.NaN, 0, 0, started, firstStep);
        while (Step < _options.TotalSteps)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                SaveCheckpoint();
                cancellationToken.ThrowIfCancellationRequested();
            }

            double loss, lr, gradNorm;
            try
            {
                (loss, lr, gradNorm) = TrainStep(lossAtStep);
            }
            catch (ExternalException) when (Recoveries < MaxRecoveries && _checkpointPath is not null && File.Exists(_checkpointPath))
            {
                // the weights may hold a half-applied step: take the whole state back from the last checkpoint
                Recoveries++;
                TryResume();
                continue;
            }

            Step++;
            if (_options.CheckpointEvery > 0 && Step % _options.CheckpointEvery == 0 && Step < _options.TotalSteps)
            {
                SaveCheckpoint();
            }

            last = Report(loss, lr, gradNorm, started, firstStep);
            if (Step % _options.ProgressEvery == 0 || Step == _options.TotalSteps)
            {
                progress?.Report(last);
            }
        }

        SaveCheckpoint();
        return last;
    }

    /// <summary>Disposes the optimizer state and the EMA.</summary>
    public void Dispose()
    {
        Optimizer.Dispose();
        Ema?.Dispose();
    }

    private (double Loss, double LearningRate, double GradNorm) TrainStep(Func<long, Tensor> lossAtStep)
    {
        using var scope = NewDisposeScope();
        var lr = _schedule.At(Step);
        foreach (var group in Optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }

        Optimizer.zero_grad();
        var loss = lossAtStep(Step);
        var value = loss.item<float>();
        if (!float.IsFinite(value))
        {
            throw new InvalidOperationException($"the loss is {value} at step {Step}; stopping before the weights are corrupted");
        }

        loss.backward();
        var parameters = _model.parameters().Where(p => p.requires_grad).ToList();
        var gradNorm = _options.GradClip > 0
            ? nn.utils.clip_grad_norm_(parameters, _options.GradClip)
            : nn.utils.clip_grad_norm_(parameters, float.MaxValue); // measures the norm only; double.MaxValue overflows libtorch's float
        Optimizer.step();
        Ema?.Update(_model);
        return (value, lr, gradNorm);
    }

    private TrainingProgress Report(double loss, double lr, double gradNorm, long started, long firstStep)
    {
        var elapsed = _time.GetElapsedTime(started);
        var done = Step - firstStep;
        var rate = elapsed > TimeSpan.Zero ? done / elapsed.TotalSeconds : 0;
        TimeSpan? eta = rate > 0 ? TimeSpan.FromSeconds((_options.TotalSteps - Step) / rate) : null;
        double? samples = _options.BatchSize > 0 ? rate * _options.BatchSize : null;
        return new TrainingProgress(Step, _options.TotalSteps, loss, lr, gradNorm, rate, samples, elapsed, eta, Recoveries);
    }
}
