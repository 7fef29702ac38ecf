using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Schedulers;

/// <summary>
/// DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2): multistep second order in data (x0) prediction,
/// as diffusers' DPMSolverMultistepScheduler with solver_order 2, the "midpoint" solver type and final sigma 0.
/// </summary>
/// <remarks>
/// Notation: alpha_t = sqrt(abar_t), sigma_t = sqrt(1 - abar_t), lambda_t = log(alpha_t / sigma_t) (half log-SNR);
/// s0 = the current timestep, s1 = the previous one, t = the next; h = lambda_t - lambda_s0, h_0 = lambda_s0 - lambda_s1,
/// r0 = h_0 / h; m0, m1 = the x0 predictions at s0 and s1.
/// <list type="bullet">
/// <item>First order (DDIM in data prediction, eq. 9 / Algorithm 1): x_t = (sigma_t / sigma_s0) x - alpha_t (e^{-h} - 1) m0.</item>
/// <item>Second order (Algorithm 2): D0 = m0, D1 = (m0 - m1) / r0,
/// x_t = (sigma_t / sigma_s0) x - alpha_t (e^{-h} - 1) D0 - 0.5 alpha_t (e^{-h} - 1) D1.</item>
/// <item>The first step is first order (no history). The last step goes to sigma = 0 and so returns m0 itself
/// (diffusers' final_sigmas_type "zero" forces first order there); with fewer than 15 steps the second-to-last step is
/// first order too (diffusers' lower_order_final), which keeps few-step sampling stable.</item>
/// </list>
/// </remarks>
public sealed class DpmSolverMultistepSampler : ISampler
{
    private readonly NoiseSchedule _schedule;
    private readonly long[] _timesteps;
    private readonly bool _clamp;
    private Tensor? _previousOriginal;
    private double _previousLambda;
    private int _nextStep;

    /// <summary>Initializes a new instance of the <see cref="DpmSolverMultistepSampler"/> class.</summary>
    /// <param name="schedule">The noise schedule.</param>
    /// <param name="steps">Number of steps.</param>
    /// <param name="options">Clamping (diffusers' thresholding with a fixed bound of 1).</param>
    public DpmSolverMultistepSampler(NoiseSchedule schedule, int steps, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(options);
        _schedule = schedule;
        _timesteps = schedule.InferenceTimesteps(steps);
        _clamp = options.ClampOriginal;
    }

    /// <inheritdoc/>
    public SamplerKind Kind => SamplerKind.DpmSolverPlusPlus2M;

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
        if (stepIndex != _nextStep)
        {
            throw new InvalidOperationException($"DPM-Solver++(2M) steps must be taken in order: expected step {_nextStep}, got {stepIndex}");
        }

        var last = _timesteps.Length - 1;
        var abarS0 = _schedule.AlphaCumprod(_timesteps[stepIndex]);
        var lambdaS0 = Lambda(abarS0);
        var m0 = _schedule.PredictOriginalAt(modelOutput, sample, abarS0);
        if (_clamp)
        {
            m0 = m0.clamp(-1.0, 1.0);
        }

        Tensor next;
        if (stepIndex == last)
        {
            // final sigma 0: x_t = alpha_t m0 with alpha_t = 1
            next = m0.alias();
        }
        else
        {
            var abarT = _schedule.AlphaCumprod(_timesteps[stepIndex + 1]);
            var (alphaT, sigmaT, sigmaS0) = (Math.Sqrt(abarT), Math.Sqrt(1.0 - abarT), Math.Sqrt(1.0 - abarS0));
            var h = Lambda(abarT) - lambdaS0;
            var phi = Math.Exp(-h) - 1.0;
            var firstOrder = stepIndex == 0 || (_timesteps.Length < 15 && stepIndex == last - 1);
            next = (sigmaT / sigmaS0) * sample - (alphaT * phi) * m0;
            if (!firstOrder && _previousOriginal is not null)
            {
                // Algorithm 2: D1 = (m0 - m1) / r0
                var r0 = (lambdaS0 - _previousLambda) / h;
                var d1 = (m0 - _previousOriginal) / r0;
                next = next - (0.5 * alphaT * phi) * d1;
            }
        }

        _previousOriginal?.Dispose();
        _previousOriginal = m0.alias().DetachFromDisposeScope();
        _previousLambda = lambdaS0;
        _nextStep = stepIndex + 1;
        return new SamplerStepResult(next, m0);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _previousOriginal?.Dispose();
        _previousOriginal = null;
    }

    /// <summary>lambda = log(alpha / sigma) = 0.5 log(abar / (1 - abar)).</summary>
    private static double Lambda(double abar) => 0.5 * Math.Log(abar / (1.0 - abar));
}
