using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Schedulers;

/// <summary>DDIM (Song, Meng and Ermon 2021, "Denoising Diffusion Implicit Models"), as diffusers' DDIMScheduler.</summary>
/// <remarks>
/// Notation: a_t = abar_t (alphas_cumprod), a_p = abar of the previous (less noisy) visited timestep, with a_p = 1
/// after the last step (diffusers' <c>set_alpha_to_one</c>), so the last step returns the x0 prediction itself.
/// <list type="bullet">
/// <item>x0 = f(model output, x_t) by prediction type; with clamping, x0 is clamped to [-1, 1] and eps recomputed
/// as (x_t - sqrt(a_t) x0) / sqrt(1 - a_t), as diffusers does.</item>
/// <item>sigma_t = eta sqrt((1 - a_p) / (1 - a_t)) sqrt(1 - a_t / a_p) (eq. 16).</item>
/// <item>x_p = sqrt(a_p) x0 + sqrt(1 - a_p - sigma_t^2) eps + sigma_t z, z ~ N(0, I) (eq. 12).</item>
/// </list>
/// </remarks>
public sealed class DdimSampler : ISampler
{
    private readonly NoiseSchedule _schedule;
    private readonly long[] _timesteps;
    private readonly bool _clamp;
    private readonly double _eta;

    /// <summary>Initializes a new instance of the <see cref="DdimSampler"/> class.</summary>
    /// <param name="schedule">The noise schedule.</param>
    /// <param name="steps">Number of steps.</param>
    /// <param name="options">Clamping and eta.</param>
    public DdimSampler(NoiseSchedule schedule, int steps, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Eta);
        _schedule = schedule;
        _timesteps = schedule.InferenceTimesteps(steps);
        _clamp = options.ClampOriginal;
        _eta = options.Eta;
    }

    /// <inheritdoc/>
    public SamplerKind Kind => SamplerKind.Ddim;

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

        var x0 = _schedule.PredictOriginalAt(modelOutput, sample, at);
        Tensor eps;
        if (_clamp)
        {
            x0 = x0.clamp(-1.0, 1.0);
            eps = (sample - Math.Sqrt(at) * x0) / Math.Sqrt(1.0 - at);
        }
        else
        {
            eps = _schedule.PredictNoiseAt(modelOutput, sample, at);
        }

        // eq. 16 and eq. 12
        var sigma = _eta * Math.Sqrt((1.0 - ap) / (1.0 - at)) * Math.Sqrt(1.0 - (at / ap));
        var direction = Math.Sqrt(Math.Max(1.0 - ap - (sigma * sigma), 0.0));
        var next = Math.Sqrt(ap) * x0 + direction * eps;
        if (sigma > 0)
        {
            next = next + sigma * SamplerNoise.Like(sample, generator);
        }

        return new SamplerStepResult(next, x0);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
