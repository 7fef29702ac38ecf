using MediaStudio.Diffusion.Schedulers;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Schedulers;

[Collection(NativeTestGroup.Name)]
public sealed class NoiseScheduleTests
{
    private static readonly NoiseScheduleConfig Linear = new();
    private static readonly NoiseScheduleConfig LinearV = new() { PredictionType = "v_prediction" };

    [Fact]
    public void Betas_Linear_HitEndpointsAndAreEvenlySpaced()
    {
        var schedule = new NoiseSchedule(Linear);

        Assert.Equal(1000, schedule.Betas.Count);
        Assert.Equal(1e-4, schedule.Betas[0], 1e-15);
        Assert.Equal(0.02, schedule.Betas[999], 1e-15);
        Assert.Equal(1e-4 + (500 * (0.02 - 1e-4) / 999), schedule.Betas[500], 1e-15);
    }

    [Fact]
    public void Betas_ScaledLinear_AreLinearInSquareRoot()
    {
        var schedule = new NoiseSchedule(NoiseScheduleConfig.StableDiffusion);

        Assert.Equal(0.00085, schedule.Betas[0], 1e-15);
        Assert.Equal(0.012, schedule.Betas[999], 1e-15);
        var root = Math.Sqrt(0.00085) + (300 * (Math.Sqrt(0.012) - Math.Sqrt(0.00085)) / 999);
        Assert.Equal(root * root, schedule.Betas[300], 1e-15);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    [InlineData(250)]
    [InlineData(999)]
    public void AlphasCumprod_Linear_IsTheProductOfOneMinusBeta(int t)
    {
        var schedule = new NoiseSchedule(Linear);

        var product = 1.0;
        for (var s = 0; s <= t; s++)
        {
            product *= 1.0 - (1e-4 + (s * (0.02 - 1e-4) / 999));
        }

        Assert.Equal(product, schedule.AlphasCumprod[t], product * 1e-12);
        Assert.Equal(product, schedule.AlphaCumprod(t), product * 1e-12);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(500)]
    [InlineData(900)]
    public void AlphasCumprod_Cosine_TelescopesToTheClosedForm(int t)
    {
        // abar_t = prod_s f((s+1)/N) / f(s/N) = f((t+1)/N) / f(0) while no beta is capped (Nichol and Dhariwal eq. 17)
        var schedule = new NoiseSchedule(new NoiseScheduleConfig { BetaSchedule = "squaredcos_cap_v2" });
        static double F(double u) => Math.Pow(Math.Cos((u + 0.008) / 1.008 * Math.PI / 2), 2);

        Assert.Equal(F((t + 1) / 1000.0) / F(0), schedule.AlphasCumprod[t], 1e-12);
        Assert.Equal(0.999, schedule.Betas[999], 1e-12);
    }

    [Fact]
    public void AlphaCumprod_BeforeTheFirstStep_IsOne()
    {
        Assert.Equal(1.0, new NoiseSchedule(Linear).AlphaCumprod(-1));
    }

    [Fact]
    public void AddNoise_ChosenTimesteps_MatchesTheClosedForm()
    {
        var schedule = new NoiseSchedule(Linear);
        using var x0 = randn([3, 2, 4, 4], generator: new Generator(1));
        using var noise = randn([3, 2, 4, 4], generator: new Generator(2));
        using var t = tensor(new long[] { 0, 400, 999 });

        using var xt = schedule.AddNoise(x0, noise, t);

        for (var i = 0; i < 3; i++)
        {
            var abar = schedule.AlphasCumprod[(int)t[i].item<long>()];
            using var expected = Math.Sqrt(abar) * x0[i] + Math.Sqrt(1 - abar) * noise[i];
            Assert.True(allclose(xt[i], expected, rtol: 1e-5, atol: 1e-6), $"sample {i}");
        }
    }

    [Theory]
    [InlineData("epsilon")]
    [InlineData("v_prediction")]
    public void PredictOriginal_OfTheTrueTarget_RecoversCleanSampleAndNoise(string predictionType)
    {
        var schedule = new NoiseSchedule(new NoiseScheduleConfig { PredictionType = predictionType, BetaSchedule = "scaled_linear", BetaStart = 0.00085, BetaEnd = 0.012 });
        using var x0 = randn([4, 3, 2, 2], dtype: ScalarType.Float64, generator: new Generator(3));
        using var noise = randn([4, 3, 2, 2], dtype: ScalarType.Float64, generator: new Generator(4));
        using var t = tensor(new long[] { 1, 100, 600, 999 });

        using var xt = schedule.AddNoise(x0, noise, t);
        using var target = schedule.Target(x0, noise, t);
        using var x0Hat = schedule.PredictOriginal(target, xt, t);
        using var epsHat = schedule.PredictNoise(target, xt, t);

        Assert.True(allclose(x0Hat, x0, rtol: 1e-9, atol: 1e-9));
        Assert.True(allclose(epsHat, noise, rtol: 1e-9, atol: 1e-9));
    }

    [Fact]
    public void VelocityTarget_ChosenTimestep_IsSqrtAbarEpsMinusSqrtOneMinusAbarX0()
    {
        var schedule = new NoiseSchedule(LinearV);
        using var x0 = randn([2, 5], dtype: ScalarType.Float64, generator: new Generator(5));
        using var noise = randn([2, 5], dtype: ScalarType.Float64, generator: new Generator(6));
        using var t = tensor(new long[] { 300, 300 });
        var abar = schedule.AlphasCumprod[300];

        using var v = schedule.VelocityTarget(x0, noise, t);
        using var target = schedule.Target(x0, noise, t);
        using var xt = schedule.AddNoise(x0, noise, t);

        using var expected = Math.Sqrt(abar) * noise - Math.Sqrt(1 - abar) * x0;
        Assert.True(allclose(v, expected, rtol: 1e-12, atol: 1e-12));
        Assert.True(allclose(target, v));
        // the rotation identity: x_t^2 + v^2 = x0^2 + eps^2 element-wise
        using var lhs = xt.square() + v.square();
        using var rhs = x0.square() + noise.square();
        Assert.True(allclose(lhs, rhs, rtol: 1e-12, atol: 1e-12));
    }

    [Theory]
    [InlineData("epsilon")]
    [InlineData("v_prediction")]
    public void MinSnrLossWeights_ChosenTimesteps_MatchHangEtAl(string predictionType)
    {
        var schedule = new NoiseSchedule(new NoiseScheduleConfig { PredictionType = predictionType });
        long[] steps = [0, 50, 200, 999];
        using var t = tensor(steps);

        using var snr = schedule.Snr(t);
        using var weights = schedule.MinSnrLossWeights(t, 5.0);

        for (var i = 0; i < steps.Length; i++)
        {
            var abar = schedule.AlphasCumprod[(int)steps[i]];
            var expectedSnr = abar / (1 - abar);
            var expected = Math.Min(expectedSnr, 5.0) / (predictionType == "epsilon" ? expectedSnr : expectedSnr + 1);
            Assert.Equal(expectedSnr, snr[i].item<float>(), expectedSnr * 1e-6);
            Assert.Equal(expected, weights[i].item<float>(), 1e-6);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(500)]
    [InlineData(900)]
    [InlineData(998)]
    public void SnrShift_DividesEverySnrBySquaredShift(int t)
    {
        var plain = new NoiseSchedule(NoiseScheduleConfig.CosineVPrediction);
        var shifted = new NoiseSchedule(NoiseScheduleConfig.CosineVPrediction with { SnrShift = 3 });

        var snr = plain.AlphasCumprod[t] / (1 - plain.AlphasCumprod[t]);
        var snrShifted = shifted.AlphasCumprod[t] / (1 - shifted.AlphasCumprod[t]);

        Assert.Equal(snr / 9, snrShifted, snr * 1e-9);
        Assert.True(shifted.Betas[t] is > 0 and < 1);
    }

    [Fact]
    public void SnrShift_OutOfRange_IsRejectedWithItsKey()
    {
        var error = Assert.Throws<ArgumentException>(() => new NoiseSchedule(NoiseScheduleConfig.CosineVPrediction with { SnrShift = 0 }));

        Assert.Contains("snr_shift", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Recipe_SnrShift_AbsentIsOneAndOutOfRangeIsRefused()
    {
        var old = System.Text.Json.JsonSerializer.Deserialize<MediaStudio.Diffusion.Training.UNetRecipe>("""{ "steps": 10, "batch_size": 2 }""")!;

        var error = Assert.Throws<ArgumentException>(() => (old with { SnrShift = 0 }).ToTrainingOptions());

        Assert.Equal(1, old.SnrShift);
        Assert.Contains("snr_shift", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InferenceTimesteps_Trailing_StartAtTheLastTrainingStep()
    {
        var schedule = new NoiseSchedule(Linear);

        Assert.Equal([999, 749, 499, 249], schedule.InferenceTimesteps(4));
        var twenty = schedule.InferenceTimesteps(20);
        Assert.Equal(999, twenty[0]);
        Assert.Equal(49, twenty[^1]);
        Assert.Equal([999, 666, 332], schedule.InferenceTimesteps(3));
    }

    [Fact]
    public void InferenceTimesteps_LeadingWithOffset_MatchStableDiffusion()
    {
        var schedule = new NoiseSchedule(NoiseScheduleConfig.StableDiffusion);

        Assert.Equal([751, 501, 251, 1], schedule.InferenceTimesteps(4));
    }

    [Fact]
    public void AddNoise_TimestepOutOfRange_Throws()
    {
        var schedule = new NoiseSchedule(Linear);
        using var x0 = zeros(1, 3);
        using var t = tensor(new long[] { 1000 });

        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.AddNoise(x0, x0, t));
    }

    [Fact]
    public void AddNoise_WithGradient_BackpropagatesSqrtAbarToCleanSample()
    {
        var schedule = new NoiseSchedule(Linear);
        using var x0 = zeros([2, 3], requires_grad: true);
        using var noise = ones(2, 3);
        using var t = tensor(new long[] { 10, 700 });

        using var loss = schedule.AddNoise(x0, noise, t).sum();
        loss.backward();

        Assert.Equal(Math.Sqrt(schedule.AlphasCumprod[10]), x0.grad![0, 0].item<float>(), 1e-6);
        Assert.Equal(Math.Sqrt(schedule.AlphasCumprod[700]), x0.grad![1, 2].item<float>(), 1e-6);
    }
}
