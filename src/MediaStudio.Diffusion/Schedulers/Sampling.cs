using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Schedulers;

/// <summary>The one entry point that runs a sampler from initial noise to a sample.</summary>
public static class Sampling
{
    /// <summary>Creates a sampler of the given kind.</summary>
    /// <param name="kind">The sampler kind.</param>
    /// <param name="schedule">The noise schedule.</param>
    /// <param name="steps">Number of steps.</param>
    /// <param name="options">Options, or null for the defaults.</param>
    /// <returns>A new sampler; dispose it.</returns>
    public static ISampler Create(SamplerKind kind, NoiseSchedule schedule, int steps, SamplingOptions? options = null)
    {
        options ??= new SamplingOptions();
        return kind switch
        {
            SamplerKind.Ddpm => new DdpmSampler(schedule, steps, options),
            SamplerKind.Ddim => new DdimSampler(schedule, steps, options),
            SamplerKind.DpmSolverPlusPlus2M => new DpmSolverMultistepSampler(schedule, steps, options),
            SamplerKind.EulerAncestral => new EulerAncestralSampler(schedule, steps, options),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown sampler kind"),
        };
    }

    /// <summary>
    /// Samples from <paramref name="initialNoise"/> with <paramref name="steps"/> steps. All randomness comes from
    /// <paramref name="generator"/>, so the same seed gives the same sample. Runs on the noise's device; tensors of
    /// each step are disposed with the step. Gradient mode is the caller's (wrap in no_grad for inference).
    /// </summary>
    /// <param name="kind">The sampler kind.</param>
    /// <param name="schedule">The noise schedule the denoiser was trained with.</param>
    /// <param name="denoiser">The model (for example a <see cref="ClassifierFreeGuidance"/>).</param>
    /// <param name="initialNoise">N(0, I) noise (B, C, h, w); not modified or disposed.</param>
    /// <param name="steps">Number of steps in [1, num_train_timesteps].</param>
    /// <param name="generator">The source of the stochastic samplers' noise (DDPM, Euler ancestral, DDIM with eta &gt; 0).</param>
    /// <param name="options">Clamping, eta, early stop; null for the defaults.</param>
    /// <param name="onStep">Called after each step with its x0 prediction, for previews.</param>
    /// <returns>The final sample (B, C, h, w), or x_t at the stop step when <see cref="SamplingOptions.StopBeforeStep"/> is set.</returns>
    public static Tensor Run(
        SamplerKind kind,
        NoiseSchedule schedule,
        Denoiser denoiser,
        Tensor initialNoise,
        int steps,
        Generator? generator = null,
        SamplingOptions? options = null,
        Action<SamplingStep>? onStep = null)
    {
        using var sampler = Create(kind, schedule, steps, options);
        return Run(sampler, denoiser, initialNoise, generator, options?.StopBeforeStep, onStep);
    }

    /// <summary>Runs an existing, fresh sampler; see the other overload.</summary>
    /// <param name="sampler">A sampler no step has been taken with.</param>
    /// <param name="denoiser">The model.</param>
    /// <param name="initialNoise">N(0, I) noise (B, ...).</param>
    /// <param name="generator">The source of the sampler's noise.</param>
    /// <param name="stopBeforeStep">Step index to stop before, returning x_t there in the model's space; null runs all steps.</param>
    /// <param name="onStep">Called after each step.</param>
    /// <returns>The sample.</returns>
    public static Tensor Run(
        ISampler sampler,
        Denoiser denoiser,
        Tensor initialNoise,
        Generator? generator = null,
        int? stopBeforeStep = null,
        Action<SamplingStep>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(initialNoise);
        var timesteps = sampler.Timesteps;
        var total = timesteps.Count;
        var stop = stopBeforeStep ?? total;
        ArgumentOutOfRangeException.ThrowIfNegative(stop, nameof(stopBeforeStep));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stop, total, nameof(stopBeforeStep));

        using var run = NewDisposeScope();
        var sample = sampler.InitialSample(initialNoise);
        var batch = initialNoise.shape[0];
        for (var i = 0; i < stop; i++)
        {
            using var step = NewDisposeScope();
            var input = sampler.ScaleModelInput(sample, i);
            var t = full([batch], timesteps[i], dtype: ScalarType.Int64, device: initialNoise.device);
            var output = denoiser(input, t);
            var result = sampler.TakeStep(output, i, sample, generator);
            onStep?.Invoke(new SamplingStep(i, total, timesteps[i], result.PredictedOriginal));
            var next = result.Sample.MoveToOuterDisposeScope();
            sample.Dispose();
            sample = next;
        }

        var final = stop < total ? sampler.ScaleModelInput(sample, stop) : sample;
        return final.MoveToOuterDisposeScope();
    }
}
