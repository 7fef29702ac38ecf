using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Schedulers;

/// <summary>DDPM ancestral sampling (Ho, Jain and Abbeel 2020), over a subset of timesteps as diffusers' DDPMScheduler.</summary>
/// <remarks>
/// Notation: a_t = abar_t, a_p = abar of the previous visited timestep (1 after the last step); the step's
/// effective beta_t = 1 - a_t / a_p and alpha_t = 1 - beta_t.
/// <list type="bullet">
/// <item>x0 = f(model output, x_t) by prediction type, optionally clamped to [-1, 1].</item>
/// <item>Posterior mean mu = sqrt(a_p) beta_t / (1 - a_t) x0 + sqrt(alpha_t) (1 - a_p) / (1 - a_t) x_t (eq. 7).</item>
/// <item>Posterior variance beta~ = (1 - a_p) / (1 - a_t) beta_t (eq. 7; diffusers' "fixed_small").</item>
/// <item>x_p = mu + sqrt(beta~) z, z ~ N(0, I); no noise on the last step, whose variance is 0.</item>
/// </list>
/// </remarks>
public sealed class DdpmSampler : ISampler
{
    private readonly NoiseSchedule _schedule;
    private readonly long[] _timesteps;
    private readonly bool _clamp;

    /// <summary>Initializes a new instance of the <see cref="DdpmSampler"/> class.</summary>
    /// <param name="schedule">The noise schedule.</param>
    /// <param name="steps">Number of steps.</param>
    /// <param name="options">Clamping.</param>
    public DdpmSampler(NoiseSchedule schedule, int steps, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(options);
        _schedule = schedule;
        _timesteps = schedule.InferenceTimesteps(steps);
        _clamp = options.ClampOriginal;
    }

    /// <inheritdoc/>
    public SamplerKind Kind => SamplerKind.Ddpm;

    /// <inheritdoc/>
    public IReadOnlyList<long> Timesteps => _timesteps;

    /// <inheritdoc/>
    public Tensor InitialSample(Tensor noise) => noise.clone();

    /// <inheritdoc/>
    public Tensor ScaleModelInput(Tensor sample, int stepIndex) => sample;

    /// <inheritdoc/>
    public SamplerStepResult TakeStep(Tensor modelOutput, int stepIndex, Tensor sample, Generator? generator)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        var at = _schedule.AlphaCumprod(_timesteps[stepIndex]);
        var ap = stepIndex + 1 < _timesteps.Length ? _schedule.AlphaCumprod(_timesteps[stepIndex + 1]) : 1.0;
        var beta = 1.0 - (at / ap);
        var alpha = 1.0 - beta;

        var x0 = _schedule.PredictOriginalAt(modelOutput, sample, at);
        if (_clamp)
        {
            x0 = x0.clamp(-1.0, 1.0);
        }

        // eq. 7: the posterior q(x_p | x_t, x0)
        var mean = (Math.Sqrt(ap) * beta / (1.0 - at)) * x0 + (Math.Sqrt(alpha) * (1.0 - ap) / (1.0 - at)) * sample;
        var variance = Math.Max((1.0 - ap) / (1.0 - at) * beta, 0.0);
        if (stepIndex + 1 < _timesteps.Length && variance > 0)
        {
            mean = mean + Math.Sqrt(variance) * SamplerNoise.Like(sample, generator);
        }

        return new SamplerStepResult(mean, x0);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
