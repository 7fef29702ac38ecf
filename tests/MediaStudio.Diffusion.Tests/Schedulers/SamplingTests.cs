using MediaStudio.Diffusion.Schedulers;
using TorchSharp;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Schedulers;

[Collection(NativeTestGroup.Name)]
public sealed class SamplingTests
{
    private const double Mu = 0.3;
    private const double S = 0.5;
    private const int Draws = 16384;

    public static TheoryData<string, string, string, int> Cases()
    {
        var data = new TheoryData<string, string, string, int>();
        foreach (var (sampler, steps) in new[] { ("ddpm", 50), ("ddim", 50), ("dpmpp_2m", 20), ("euler_a", 50) })
        {
            data.Add(sampler, "epsilon", "linear", steps);
            data.Add(sampler, "v_prediction", "squaredcos_cap_v2", steps);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Run_ExactGaussianDenoiser_ReproducesTheDataDistribution(string samplerName, string predictionType, string betaSchedule, int steps)
    {
        var schedule = Schedule(predictionType, betaSchedule);
        var target = new GaussianTarget(schedule, Mu, S);
        using var generator = new Generator(17);
        using var noise = randn([Draws], generator: generator);

        using var sample = Sampling.Run(SamplerKinds.Parse(samplerName), schedule, target.Denoise, noise, steps, generator);

        // First-order samplers lose some spread to discretisation (DDPM/Euler-a about 11% at 50 steps, DDIM about 6%:
        // a DDIM step can only shrink the variance, by Cauchy-Schwarz); the mean is exact.
        Assert.Equal(steps, target.Calls);
        var mean = sample.mean().item<float>();
        var std = sample.std().item<float>();
        Assert.True(Math.Abs(mean - Mu) < 0.01, $"{samplerName}/{predictionType}: mean {mean:F4}, expected {Mu}");
        Assert.True(Math.Abs(std - S) < 0.12 * S, $"{samplerName}/{predictionType}: std {std:F4}, expected {S}");
    }

    [Theory]
    [InlineData("epsilon", "linear")]
    [InlineData("v_prediction", "squaredcos_cap_v2")]
    public void Run_DpmSolver20Steps_MatchesThePosteriorMeanSpreadClosely(string predictionType, string betaSchedule)
    {
        var schedule = Schedule(predictionType, betaSchedule);
        var target = new GaussianTarget(schedule, Mu, S);
        using var noise = randn([Draws], generator: new Generator(5));

        using var sample = Sampling.Run(SamplerKind.DpmSolverPlusPlus2M, schedule, target.Denoise, noise, 20);

        // the last step returns E[x0 | x_t] at the last visited timestep: spread sqrt(abar s^4 / (abar s^2 + 1 - abar))
        var abar = schedule.AlphaCumprod(schedule.InferenceTimesteps(20)[^1]);
        var expected = Math.Sqrt(abar * Math.Pow(S, 4) / (abar * S * S + 1 - abar));
        Assert.Equal(expected, sample.std().item<float>(), 0.03 * expected);
        Assert.Equal(Mu, sample.mean().item<float>(), 0.01);
    }

    [Theory]
    [InlineData(SamplerKind.Ddpm, 20, false)]
    [InlineData(SamplerKind.Ddpm, 50, false)]
    [InlineData(SamplerKind.Ddim, 20, false)]
    [InlineData(SamplerKind.Ddim, 50, false)]
    [InlineData(SamplerKind.Ddpm, 30, true)]
    [InlineData(SamplerKind.Ddim, 30, true)]
    public void Run_FirstOrderSampler_MatchesTheExactLinearGaussianRecursion(SamplerKind kind, int steps, bool stableDiffusion)
    {
        // With a Gaussian target every step is x_p = A x_t + B (+ N(0, v)), so mean and variance can be propagated
        // exactly in double from N(0, 1): DDPM eq. 7 (posterior) and DDIM eq. 12 (eta = 0), written out independently.
        // The Stable Diffusion schedule also covers scaled_linear betas with "leading" spacing and steps_offset 1.
        var schedule = stableDiffusion ? new NoiseSchedule(NoiseScheduleConfig.StableDiffusion) : Schedule("epsilon", "linear");
        var target = new GaussianTarget(schedule, Mu, S);
        using var generator = new Generator(23);
        using var noise = randn([Draws], generator: generator);
        var timesteps = schedule.InferenceTimesteps(steps);
        double m = 0, variance = 1;
        for (var i = 0; i < steps; i++)
        {
            var a = schedule.AlphaCumprod(timesteps[i]);
            var ap = i + 1 < steps ? schedule.AlphaCumprod(timesteps[i + 1]) : 1.0;
            var d = a * S * S + 1 - a;
            var (k, c) = (Math.Sqrt(a) * S * S / d, (1 - a) * Mu / d);                        // x0 = k x + c
            var (ke, ce) = ((1 - Math.Sqrt(a) * k) / Math.Sqrt(1 - a), -Math.Sqrt(a) * c / Math.Sqrt(1 - a)); // eps = ke x + ce
            double gain, offset, added;
            if (kind == SamplerKind.Ddpm)
            {
                var beta = 1 - a / ap;
                var x0Coefficient = Math.Sqrt(ap) * beta / (1 - a);
                (gain, offset, added) = (x0Coefficient * k + Math.Sqrt(1 - beta) * (1 - ap) / (1 - a), x0Coefficient * c, (1 - ap) / (1 - a) * beta);
            }
            else
            {
                (gain, offset, added) = (Math.Sqrt(ap) * k + Math.Sqrt(1 - ap) * ke, Math.Sqrt(ap) * c + Math.Sqrt(1 - ap) * ce, 0);
            }

            m = gain * m + offset;
            variance = gain * gain * variance + added;
        }

        using var sample = Sampling.Run(kind, schedule, target.Denoise, noise, steps, generator);

        Assert.Equal(m, sample.mean().item<float>(), 0.01);
        Assert.Equal(Math.Sqrt(variance), sample.std().item<float>(), 0.02 * Math.Sqrt(variance));
    }

    [Fact]
    public void Run_EulerAncestralAndDdpm_SameSeed_GiveTheSameSample()
    {
        // The ancestral Euler step in sigma space is the DDPM posterior step in disguise: its sigma_up^2, mapped back to
        // the VP space, is (1 - a_p) / (1 - a_t) beta_t, and both draw one noise tensor per step but the last.
        var schedule = Schedule("v_prediction", "squaredcos_cap_v2");
        var target = new GaussianTarget(schedule, Mu, S);
        using var noise = randn([256], generator: new Generator(3));
        using var first = new Generator(99);
        using var second = new Generator(99);

        using var ddpm = Sampling.Run(SamplerKind.Ddpm, schedule, target.Denoise, noise, 30, first);
        using var euler = Sampling.Run(SamplerKind.EulerAncestral, schedule, target.Denoise, noise, 30, second);

        Assert.True(allclose(ddpm, euler, rtol: 1e-3, atol: 1e-3), $"max difference {(ddpm - euler).abs().max().item<float>()}");
    }

    [Fact]
    public void Run_DdimWithEtaOne_IsDdpm()
    {
        // DDIM eq. 16 with eta = 1 gives sigma_t^2 = the DDPM posterior variance, and then eq. 12's mean is the posterior mean.
        var schedule = Schedule("epsilon", "linear");
        var target = new GaussianTarget(schedule, Mu, S);
        using var noise = randn([256], generator: new Generator(4));
        using var first = new Generator(5);
        using var second = new Generator(5);

        using var ddpm = Sampling.Run(SamplerKind.Ddpm, schedule, target.Denoise, noise, 25, first);
        using var ddim = Sampling.Run(SamplerKind.Ddim, schedule, target.Denoise, noise, 25, second, new SamplingOptions { Eta = 1.0 });

        Assert.True(allclose(ddpm, ddim, rtol: 1e-4, atol: 1e-4), $"max difference {(ddpm - ddim).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData(SamplerKind.Ddpm)]
    [InlineData(SamplerKind.Ddim)]
    [InlineData(SamplerKind.DpmSolverPlusPlus2M)]
    [InlineData(SamplerKind.EulerAncestral)]
    public void Run_OneStep_ReturnsTheX0PredictionAtTheLastTrainingStep(SamplerKind kind)
    {
        var schedule = Schedule("v_prediction", "squaredcos_cap_v2");
        var target = new GaussianTarget(schedule, Mu, S);
        using var noise = randn([64], generator: new Generator(6));
        using var t = full([64], 999L);
        using var output = target.Denoise(noise, t);
        using var expected = schedule.PredictOriginal(output, noise, t);

        using var sample = Sampling.Run(kind, schedule, target.Denoise, noise, 1, new Generator(7));

        Assert.True(allclose(sample, expected, rtol: 1e-3, atol: 1e-3), $"max difference {(sample - expected).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData("ddpm")]
    [InlineData("ddim")]
    [InlineData("dpmpp_2m")]
    [InlineData("euler_a")]
    public void Run_SameSeed_IsIdenticalAndAnotherSeedDiffers(string samplerName)
    {
        var kind = SamplerKinds.Parse(samplerName);
        var schedule = Schedule("epsilon", "linear");
        var target = new GaussianTarget(schedule, Mu, S);
        var options = new SamplingOptions { Eta = 1.0 };

        Tensor Sample(ulong seed)
        {
            using var generator = new Generator(seed);
            using var noise = randn([2, 3, 4, 4], generator: generator);
            return Sampling.Run(kind, schedule, target.Denoise, noise, 10, generator, options);
        }

        using var a = Sample(7);
        using var b = Sample(7);
        using var c = Sample(8);

        Assert.True(a.eq(b).all().item<bool>(), "same seed, same sample");
        Assert.False(allclose(a, c), "another seed, another sample");
    }

    [Theory]
    [InlineData(SamplerKind.Ddim)]
    [InlineData(SamplerKind.EulerAncestral)]
    public void Run_StopBeforeStep_ReturnsTheModelInputWithTheMarginalSpread(SamplerKind kind)
    {
        // x_t at the stop step is in the VP space (what the model takes), so its spread is sqrt(abar s^2 + 1 - abar).
        var schedule = Schedule("epsilon", "linear");
        var target = new GaussianTarget(schedule, Mu, S);
        using var generator = new Generator(41);
        using var noise = randn([Draws], generator: generator);

        using var xt = Sampling.Run(kind, schedule, target.Denoise, noise, 50, generator, new SamplingOptions { StopBeforeStep = 40 });

        var abar = schedule.AlphaCumprod(schedule.InferenceTimesteps(50)[40]);
        var expected = Math.Sqrt(abar * S * S + 1 - abar);
        Assert.Equal(40, target.Calls);
        Assert.Equal(expected, xt.std().item<float>(), 0.1 * expected);
        Assert.Equal(Math.Sqrt(abar) * Mu, xt.mean().item<float>(), 0.02);
    }

    [Fact]
    public void Run_OnStep_ReportsEveryStepWithAClampedPrediction()
    {
        var schedule = Schedule("epsilon", "linear");
        var target = new GaussianTarget(schedule, 0.9, 1.0);
        using var noise = randn([2, 1, 4, 4], generator: new Generator(1));
        var seen = new List<(int Index, int Total, long Timestep, double Max)>();

        using var sample = Sampling.Run(
            SamplerKind.Ddim, schedule, target.Denoise, noise, 8, null, new SamplingOptions { ClampOriginal = true },
            step => seen.Add((step.Index, step.Total, step.Timestep, step.PredictedOriginal.abs().max().item<float>())));

        Assert.Equal(Enumerable.Range(0, 8), seen.Select(s => s.Index));
        Assert.All(seen, s => Assert.Equal(8, s.Total));
        Assert.Equal(schedule.InferenceTimesteps(8), seen.Select(s => s.Timestep));
        Assert.All(seen, s => Assert.True(s.Max <= 1.0, "x0 is clamped"));
        Assert.True(sample.abs().max().item<float>() <= 1.0 + 1e-6, "the last DDIM step returns the clamped x0");
    }

    [Theory]
    [InlineData(SamplerKind.DpmSolverPlusPlus2M)]
    [InlineData(SamplerKind.EulerAncestral)]
    public void Run_ResultDisposed_LiveTensorCountReturnsToBaseline(SamplerKind kind)
    {
        var schedule = Schedule("v_prediction", "squaredcos_cap_v2");
        var target = new GaussianTarget(schedule, Mu, S);
        using var generator = new Generator(2);
        using var noise = randn([1, 2, 4, 4], generator: generator);
        var statistics = DisposeScopeManager.Statistics;
        statistics.Reset();
        var baseline = statistics.ThreadTotalLiveCount;

        using (var sample = Sampling.Run(kind, schedule, target.Denoise, noise, 6, generator))
        {
            Assert.Equal(baseline + 1, statistics.ThreadTotalLiveCount);
        }

        Assert.Equal(baseline, statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Parse_CliNames_RoundTripAndUnknownNameListsThem()
    {
        foreach (var name in SamplerKinds.CliNames)
        {
            Assert.Equal(name, SamplerKinds.Parse(name).ToCliName());
        }

        Assert.Equal(SamplerKind.EulerAncestral, SamplerKinds.Parse(" Euler_A "));
        var error = Assert.Throws<ArgumentException>(() => SamplerKinds.Parse("heun"));
        Assert.Contains("dpmpp_2m", error.Message, StringComparison.Ordinal);
    }

    private static NoiseSchedule Schedule(string predictionType, string betaSchedule) =>
        new(new NoiseScheduleConfig { PredictionType = predictionType, BetaSchedule = betaSchedule });
}
