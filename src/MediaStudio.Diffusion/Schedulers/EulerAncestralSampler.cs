using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Schedulers;

/// <summary>Euler ancestral sampling in sigma space, as diffusers' EulerAncestralDiscreteScheduler (k-diffusion's sample_euler_ancestral).</summary>
/// <remarks>
/// Notation (Karras et al. 2022, "Elucidating the Design Space", Table 1, VP column): sigma_t = sqrt((1 - abar_t) / abar_t);
/// the sampler's state is x = x0 + sigma eps = x_t sqrt(sigma^2 + 1), so the model input is x / sqrt(sigma^2 + 1)
/// and the initial sample is noise * sqrt(sigma_max^2 + 1). The visited sigmas are those of the schedule's inference
/// timesteps followed by 0.
/// <list type="bullet">
/// <item>x0 = f(model output, x / sqrt(sigma^2 + 1)) by prediction type (eps: x - sigma eps), optionally clamped.</item>
/// <item>sigma_up = sqrt(sigma_to^2 (sigma_from^2 - sigma_to^2) / sigma_from^2), sigma_down = sqrt(sigma_to^2 - sigma_up^2).</item>
/// <item>d = (x - x0) / sigma_from (Karras eq. 5's ODE derivative); x' = x + d (sigma_down - sigma_from) + sigma_up z,
/// evaluated as x0 + (sigma_down / sigma_from)(x - x0) + sigma_up z.</item>
/// </list>
/// diffusers scales the initial noise by sigma_max for "trailing" spacing; this uses sqrt(sigma_max^2 + 1), the exact
/// standard deviation of the state at the first timestep (the two differ by under 1e-4 relative for sigma_max &gt; 70).
/// </remarks>
public sealed class EulerAncestralSampler : ISampler
{
    private readonly NoiseSchedule _schedule;
    private readonly long[] _timesteps;
    private readonly double[] _sigmas;
    private readonly bool _clamp;

    /// <summary>Initializes a new instance of the <see cref="EulerAncestralSampler"/> class.</summary>
    /// <param name="schedule">The noise schedule.</param>
    /// <param name="steps">Number of steps.</param>
    /// <param name="options">Clamping.</param>
    public EulerAncestralSampler(NoiseSchedule schedule, int steps, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(options);
        _schedule = schedule;
        _timesteps = schedule.InferenceTimesteps(steps);
        _clamp = options.ClampOriginal;
        _sigmas = new double[_timesteps.Length + 1];
        for (var i = 0; i < _timesteps.Length; i++)
        {
            var abar = schedule.AlphaCumprod(_timesteps[i]);
            _sigmas[i] = Math.Sqrt((1.0 - abar) / abar);
        }
    }

    /// <inheritdoc/>
    public SamplerKind Kind => SamplerKind.EulerAncestral;

    /// <inheritdoc/>
    public IReadOnlyList<long> Timesteps => _timesteps;

    /// <summary>Gets the visited sigmas, the last being 0.</summary>
    public IReadOnlyList<double> Sigmas => _sigmas;

    /// <inheritdoc/>
    public Tensor InitialSample(Tensor noise)
    {
        ArgumentNullException.ThrowIfNull(noise);
        return noise * Math.Sqrt((_sigmas[0] * _sigmas[0]) + 1.0);
    }

    /// <inheritdoc/>
    public Tensor ScaleModelInput(Tensor sample, int stepIndex)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var sigma = _sigmas[stepIndex];
        return sample / Math.Sqrt((sigma * sigma) + 1.0);
    }

    /// <inheritdoc/>
    public SamplerStepResult TakeStep(Tensor modelOutput, int stepIndex, Tensor sample, Generator? generator)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        var sigmaFrom = _sigmas[stepIndex];
        var sigmaTo = _sigmas[stepIndex + 1];
        var abar = _schedule.AlphaCumprod(_timesteps[stepIndex]);

        var x0 = _schedule.PredictOriginalAt(modelOutput, sample / Math.Sqrt((sigmaFrom * sigmaFrom) + 1.0), abar);
        if (_clamp)
        {
            x0 = x0.clamp(-1.0, 1.0);
        }

        var sigmaUp = Math.Sqrt(sigmaTo * sigmaTo * ((sigmaFrom * sigmaFrom) - (sigmaTo * sigmaTo)) / (sigmaFrom * sigmaFrom));
        var sigmaDown = Math.Sqrt(Math.Max((sigmaTo * sigmaTo) - (sigmaUp * sigmaUp), 0.0));
        // x + d (sigma_down - sigma) with d = (x - x0) / sigma, written as x0 + (sigma_down / sigma)(x - x0): the same
        // number, without float32 cancellation when sigma_max is large (cosine: about 1e4) and the step is big.
        var next = x0 + (sigmaDown / sigmaFrom) * (sample - x0);
        if (sigmaUp > 0)
        {
            next = next + sigmaUp * SamplerNoise.Like(sample, generator);
        }

        return new SamplerStepResult(next, x0);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
