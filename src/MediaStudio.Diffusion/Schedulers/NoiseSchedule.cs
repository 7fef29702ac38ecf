using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Schedulers;

/// <summary>
/// The discrete variance-preserving forward process of DDPM and the conversions between what a model predicts
/// and the clean sample, computed in double precision and applied on the input tensors' device and dtype.
/// </summary>
/// <remarks>
/// Notation (Ho et al. 2020, "DDPM"; Salimans and Ho 2022, "Progressive Distillation", appendix D):
/// <list type="bullet">
/// <item>t in [0, N-1]: training timestep index (int64); N = num_train_timesteps.</item>
/// <item>beta_t: per-step noise variance; alpha_t = 1 - beta_t; abar_t = prod_{s&lt;=t} alpha_s (<c>alphas_cumprod</c>).</item>
/// <item>x0: clean sample; eps ~ N(0, I): the noise; x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps (DDPM eq. 4).</item>
/// <item>v_t = sqrt(abar_t) eps - sqrt(1 - abar_t) x0: the velocity (Salimans and Ho eq. 31 with alpha = sqrt(abar),
/// sigma = sqrt(1 - abar)); then x0 = sqrt(abar) x_t - sqrt(1 - abar) v and eps = sqrt(1 - abar) x_t + sqrt(abar) v.</item>
/// <item>SNR(t) = abar_t / (1 - abar_t) (Kingma et al. 2021, "Variational Diffusion Models", eq. 2).</item>
/// <item>Min-SNR-gamma weights (Hang et al. 2023, eq. 9 and section 3.4): min(SNR, gamma) / SNR for an eps loss,
/// min(SNR, gamma) / (SNR + 1) for a v loss, so that every weighting equals min(SNR, gamma) on the x0 loss.</item>
/// <item>SNR shift s (config <c>snr_shift</c>): SNR'(t) = SNR(t) / s², applied to abar after the base schedule.</item>
/// <item>Cosine schedule: abar(t) = f(t) / f(0), f(t) = cos(((t / N) + s) / (1 + s) * pi / 2)^2, s = 0.008, with
/// beta_t = min(1 - abar(t+1) / abar(t), 0.999) (Nichol and Dhariwal 2021, eq. 17; diffusers' squaredcos_cap_v2).</item>
/// </list>
/// Per-sample functions take t as an int64 tensor of shape (B) (or (1), broadcast) and broadcast the coefficients
/// over the remaining dimensions of the sample. They build no graph of their own, so gradients flow to x0, the
/// noise and the model output unchanged.
/// </remarks>
public sealed class NoiseSchedule
{
    private readonly double[] _betas;
    private readonly double[] _alphasCumprod;

    /// <summary>Initializes a new instance of the <see cref="NoiseSchedule"/> class.</summary>
    /// <param name="config">The schedule configuration; validated here.</param>
    public NoiseSchedule(NoiseScheduleConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        _betas = MakeBetas(config);
        _alphasCumprod = new double[_betas.Length];
        var product = 1.0;
        for (var t = 0; t < _betas.Length; t++)
        {
            product *= 1.0 - _betas[t];
            _alphasCumprod[t] = product;
        }
    }

    /// <summary>Gets the configuration.</summary>
    public NoiseScheduleConfig Config { get; }

    /// <summary>Gets the number of training timesteps N.</summary>
    public int NumTrainTimesteps => _betas.Length;

    /// <summary>Gets whether the model predicts v (otherwise eps).</summary>
    public bool IsVPrediction => Config.IsVPrediction;

    /// <summary>Gets beta_t for t = 0 .. N-1.</summary>
    public IReadOnlyList<double> Betas => _betas;

    /// <summary>Gets abar_t = prod_{s&lt;=t} (1 - beta_s) for t = 0 .. N-1, in double precision.</summary>
    public IReadOnlyList<double> AlphasCumprod => _alphasCumprod;

    /// <summary>Gets abar_t, with abar = 1 for t = -1 (the clean end of sampling).</summary>
    /// <param name="t">A timestep in [-1, N-1].</param>
    /// <returns>abar_t in double precision.</returns>
    public double AlphaCumprod(long t)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(t, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(t, NumTrainTimesteps);
        return t < 0 ? 1.0 : _alphasCumprod[t];
    }

    /// <summary>Diffuses clean samples to timestep t: x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps (DDPM eq. 4).</summary>
    /// <param name="x0">Clean samples (B, ...).</param>
    /// <param name="noise">Noise eps of the same shape.</param>
    /// <param name="t">Timesteps, int64 (B).</param>
    /// <returns>x_t (B, ...).</returns>
    public Tensor AddNoise(Tensor x0, Tensor noise, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(x0);
        ArgumentNullException.ThrowIfNull(noise);
        using var scope = NewDisposeScope();
        var (a, s) = Coefficients(t, x0);
        return (a * x0 + s * noise).MoveToOuterDisposeScope();
    }

    /// <summary>The velocity v = sqrt(abar_t) eps - sqrt(1 - abar_t) x0 (Salimans and Ho 2022, eq. 31).</summary>
    /// <param name="x0">Clean samples (B, ...).</param>
    /// <param name="noise">Noise eps of the same shape.</param>
    /// <param name="t">Timesteps, int64 (B).</param>
    /// <returns>v (B, ...).</returns>
    public Tensor VelocityTarget(Tensor x0, Tensor noise, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(x0);
        ArgumentNullException.ThrowIfNull(noise);
        using var scope = NewDisposeScope();
        var (a, s) = Coefficients(t, x0);
        return (a * noise - s * x0).MoveToOuterDisposeScope();
    }

    /// <summary>The regression target of the configured prediction type: eps, or v.</summary>
    /// <param name="x0">Clean samples (B, ...).</param>
    /// <param name="noise">Noise eps of the same shape.</param>
    /// <param name="t">Timesteps, int64 (B).</param>
    /// <returns>The target (B, ...); for eps a new alias of <paramref name="noise"/>.</returns>
    public Tensor Target(Tensor x0, Tensor noise, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(noise);
        if (IsVPrediction)
        {
            return VelocityTarget(x0, noise, t);
        }

        CheckTimesteps(t);
        return noise.alias();
    }

    /// <summary>
    /// The clean sample implied by a model output: x0 = (x_t - sqrt(1 - abar) eps) / sqrt(abar) (DDPM eq. 15) or
    /// x0 = sqrt(abar) x_t - sqrt(1 - abar) v.
    /// </summary>
    /// <param name="modelOutput">Raw model output in the configured prediction type (B, ...).</param>
    /// <param name="xt">The noisy input x_t (B, ...).</param>
    /// <param name="t">Timesteps, int64 (B).</param>
    /// <returns>The x0 prediction (B, ...).</returns>
    public Tensor PredictOriginal(Tensor modelOutput, Tensor xt, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(xt);
        using var scope = NewDisposeScope();
        var (a, s) = Coefficients(t, xt);
        var x0 = IsVPrediction ? a * xt - s * modelOutput : (xt - s * modelOutput) / a;
        return x0.MoveToOuterDisposeScope();
    }

    /// <summary>The noise implied by a model output: eps itself, or eps = sqrt(1 - abar) x_t + sqrt(abar) v.</summary>
    /// <param name="modelOutput">Raw model output in the configured prediction type (B, ...).</param>
    /// <param name="xt">The noisy input x_t (B, ...).</param>
    /// <param name="t">Timesteps, int64 (B).</param>
    /// <returns>The eps prediction (B, ...).</returns>
    public Tensor PredictNoise(Tensor modelOutput, Tensor xt, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(xt);
        using var scope = NewDisposeScope();
        var (a, s) = Coefficients(t, xt);
        var eps = IsVPrediction ? s * xt + a * modelOutput : modelOutput.alias();
        return eps.MoveToOuterDisposeScope();
    }

    /// <summary>SNR(t) = abar_t / (1 - abar_t) (VDM eq. 2).</summary>
    /// <param name="t">Timesteps, int64 (B).</param>
    /// <returns>float32 (B) on the device of <paramref name="t"/>.</returns>
    public Tensor Snr(Tensor t)
    {
        using var scope = NewDisposeScope();
        var abar = Gather(t);
        return (abar / (1.0 - abar)).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Min-SNR-gamma loss weights (Hang et al. 2023, "Efficient Diffusion Training via Min-SNR Weighting Strategy"):
    /// min(SNR, gamma) / SNR for eps-prediction, min(SNR, gamma) / (SNR + 1) for v-prediction.
    /// </summary>
    /// <param name="t">Timesteps, int64 (B).</param>
    /// <param name="gamma">The clamp gamma (the paper uses 5).</param>
    /// <returns>float32 (B) weights on the device of <paramref name="t"/>, to multiply the per-sample MSE.</returns>
    public Tensor MinSnrLossWeights(Tensor t, double gamma = 5.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gamma);
        using var scope = NewDisposeScope();
        var abar = Gather(t);
        var snr = abar / (1.0 - abar);
        var clamped = snr.clamp(max: gamma);
        var weights = IsVPrediction ? clamped / (snr + 1.0) : clamped / snr;
        return weights.to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The descending training timesteps visited by a sampler with <paramref name="steps"/> steps, as diffusers'
    /// <c>set_timesteps</c>: "leading" = (0, r, 2r, ...) reversed plus steps_offset, r = N / steps (integer division);
    /// "trailing" = round(N, N - N/steps, ...) - 1, so the first is always N - 1.
    /// </summary>
    /// <param name="steps">Number of sampling steps in [1, N].</param>
    /// <returns>Timesteps, first the noisiest.</returns>
    public long[] InferenceTimesteps(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(steps, NumTrainTimesteps);
        var n = NumTrainTimesteps;
        var timesteps = new long[steps];
        if (Config.TimestepSpacing == "leading")
        {
            var ratio = n / steps;
            for (var i = 0; i < steps; i++)
            {
                timesteps[i] = Math.Min(((long)(steps - 1 - i) * ratio) + Config.StepsOffset, n - 1);
            }
        }
        else
        {
            var ratio = (double)n / steps;
            for (var i = 0; i < steps; i++)
            {
                timesteps[i] = (long)Math.Round(n - (i * ratio), MidpointRounding.ToEven) - 1;
            }
        }

        return timesteps;
    }

    /// <summary>x0 from a model output at one timestep with abar given as a scalar (the samplers' form).</summary>
    internal Tensor PredictOriginalAt(Tensor modelOutput, Tensor xt, double abar)
    {
        var (a, s) = (Math.Sqrt(abar), Math.Sqrt(1.0 - abar));
        return IsVPrediction ? a * xt - s * modelOutput : (xt - s * modelOutput) / a;
    }

    /// <summary>eps from a model output at one timestep with abar given as a scalar (the samplers' form).</summary>
    internal Tensor PredictNoiseAt(Tensor modelOutput, Tensor xt, double abar)
    {
        var (a, s) = (Math.Sqrt(abar), Math.Sqrt(1.0 - abar));
        return IsVPrediction ? s * xt + a * modelOutput : modelOutput.alias();
    }

    private static double[] MakeBetas(NoiseScheduleConfig config)
    {
        var n = config.NumTrainTimesteps;
        var betas = new double[n];
        for (var i = 0; i < n; i++)
        {
            var fraction = (double)i / (n - 1);
            betas[i] = config.BetaSchedule switch
            {
                "linear" => config.BetaStart + (fraction * (config.BetaEnd - config.BetaStart)),
                "scaled_linear" => Square(Math.Sqrt(config.BetaStart) + (fraction * (Math.Sqrt(config.BetaEnd) - Math.Sqrt(config.BetaStart)))),
                _ => Math.Min(1.0 - (CosineAlphaBar((i + 1.0) / n) / CosineAlphaBar((double)i / n)), 0.999),
            };
        }

        return config.SnrShift == 1 ? betas : Shifted(betas, config.SnrShift);
    }

    /// <summary>The betas whose abar'_t = abar_t / (abar_t + s² (1 - abar_t)), i.e. SNR'(t) = SNR(t) / s².</summary>
    private static double[] Shifted(double[] betas, double shift)
    {
        var (shifted, product, previous) = (new double[betas.Length], 1.0, 1.0);
        for (var t = 0; t < betas.Length; t++)
        {
            product *= 1.0 - betas[t];
            var abar = product / (product + (shift * shift * (1.0 - product)));
            shifted[t] = 1.0 - (abar / previous);
            previous = abar;
        }

        return shifted;
    }

    /// <summary>f(t) = cos((t + 0.008) / 1.008 * pi / 2)^2 (Nichol and Dhariwal 2021, eq. 17).</summary>
    private static double CosineAlphaBar(double t) => Square(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2));

    private static double Square(double x) => x * x;

    /// <summary>abar at each t, float64 (B), on t's device.</summary>
    private Tensor Gather(Tensor t)
    {
        CheckTimesteps(t);
        using var table = tensor(_alphasCumprod, dtype: ScalarType.Float64, device: t.device);
        return table.index_select(0, t.reshape(-1));
    }

    /// <summary>sqrt(abar_t) and sqrt(1 - abar_t) in the sample's dtype, shaped (B, 1, ..., 1) to broadcast over it.</summary>
    private (Tensor SqrtAlphaBar, Tensor SqrtOneMinusAlphaBar) Coefficients(Tensor t, Tensor like)
    {
        var abar = Gather(t);
        var batch = abar.shape[0];
        if (like.dim() == 0 || (batch != 1 && batch != like.shape[0]))
        {
            throw new ArgumentException(
                $"timesteps of shape [{string.Join(", ", t.shape)}] do not match a sample batch of shape [{string.Join(", ", like.shape)}]",
                nameof(t));
        }

        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = batch;
        var a = abar.sqrt().to_type(like.dtype).reshape(shape);
        var s = (1.0 - abar).sqrt().to_type(like.dtype).reshape(shape);
        return (a, s);
    }

    private void CheckTimesteps(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"timesteps must be int64, got {t.dtype}", nameof(t));
        }

        if (t.numel() == 0)
        {
            throw new ArgumentException("timesteps are empty", nameof(t));
        }

        using var minimum = t.min();
        using var maximum = t.max();
        var min = minimum.item<long>();
        var max = maximum.item<long>();
        if (min < 0 || max >= NumTrainTimesteps)
        {
            throw new ArgumentOutOfRangeException(nameof(t), $"timesteps must be in [0, {NumTrainTimesteps - 1}], got [{min}, {max}]");
        }
    }
}
