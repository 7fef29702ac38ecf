using MediaStudio.Diffusion.Schedulers;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Schedulers;

[Collection(NativeTestGroup.Name)]
public sealed class ClassifierFreeGuidanceTests
{
    private const int B = 3;
    private const int T = 5;
    private const int D = 4;

    [Fact]
    public void Predict_ScaleOne_IsTheConditionalOutputFromOneForward()
    {
        var model = new ToyModel();
        using var x = randn([B, 2, 3, 3], generator: new Generator(1));
        using var t = tensor(new long[] { 10, 500, 999 });
        using var cond = randn([B, T, D], generator: new Generator(2));
        using var uncond = randn([T, D], generator: new Generator(3));

        using var guided = new ClassifierFreeGuidance(model.Forward, cond, uncond, 1.0).Predict(x, t);
        using var expected = model.Forward(x, t, cond);

        Assert.True(allclose(guided, expected));
        Assert.Equal([B, B], model.Batches); // the guided call and the reference call, no unconditional pass
    }

    [Fact]
    public void Predict_Scale_IsUncondPlusScaleTimesDifferenceFromOneBatchedForward()
    {
        var model = new ToyModel();
        using var x = randn([B, 2, 3, 3], generator: new Generator(4));
        using var t = tensor(new long[] { 1, 2, 3 });
        using var cond = randn([B, T, D], generator: new Generator(5));
        using var uncond = randn([B, T, D], generator: new Generator(6));

        using var guided = ClassifierFreeGuidance.Create(model.Forward, cond, uncond, 7.5)(x, t);
        Assert.Equal([2 * B], model.Batches);

        using var c = model.Forward(x, t, cond);
        using var u = model.Forward(x, t, uncond);
        using var expected = u + 7.5 * (c - u);
        Assert.True(allclose(guided, expected, rtol: 1e-5, atol: 1e-5));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Predict_SharedUnconditionalContext_BroadcastsToTheBatch(int rank)
    {
        var model = new ToyModel();
        using var x = randn([B, 2, 3, 3], generator: new Generator(7));
        using var t = tensor(new long[] { 5, 6, 7 });
        using var cond = randn([B, T, D], generator: new Generator(8));
        using var negative = randn([T, D], generator: new Generator(9));         // a learned negative embedding
        using var shared = rank == 2 ? negative.alias() : negative.unsqueeze(0);
        using var explicitBatch = negative.unsqueeze(0).expand(B, -1, -1).contiguous();

        using var broadcast = new ClassifierFreeGuidance(model.Forward, cond, shared, 4.0).Predict(x, t);
        using var expected = new ClassifierFreeGuidance(model.Forward, cond, explicitBatch, 4.0).Predict(x, t);

        Assert.True(allclose(broadcast, expected, rtol: 1e-6, atol: 1e-6));
    }

    [Theory]
    [InlineData(T + 1, D)]
    [InlineData(T, D + 2)]
    public void Constructor_WrongUnconditionalShape_ThrowsNamingBothShapes(int tokens, int width)
    {
        var model = new ToyModel();
        using var cond = zeros(B, T, D);
        using var uncond = zeros(tokens, width);

        var error = Assert.Throws<ArgumentException>(() => new ClassifierFreeGuidance(model.Forward, cond, uncond, 3.0));

        Assert.Contains($"[{tokens}, {width}]", error.Message, StringComparison.Ordinal);
        Assert.Contains($"[{B}, {T}, {D}]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UnconditionalOfWrongRankOrBatch_Throws()
    {
        var model = new ToyModel();
        using var cond = zeros(B, T, D);
        using var vector = zeros(D);
        using var otherBatch = zeros(B + 1, T, D);

        Assert.Throws<ArgumentException>(() => new ClassifierFreeGuidance(model.Forward, cond, vector, 3.0));
        var error = Assert.Throws<ArgumentException>(() => new ClassifierFreeGuidance(model.Forward, cond, otherBatch, 3.0));
        Assert.Contains($"[{B + 1}, {T}, {D}]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_LearnedNegativeEmbedding_ReceivesTheGuidanceGradient()
    {
        // ReNeg: the negative embedding n enters only the unconditional branch, so d out / d n = (1 - s) d uncond / d n.
        var model = new ToyModel();
        using var x = randn([B, 2, 3, 3], generator: new Generator(10));
        using var t = tensor(new long[] { 20, 30, 40 });
        using var cond = randn([B, T, D], generator: new Generator(11));
        using var negative = zeros([T, D], requires_grad: true);

        using var loss = new ClassifierFreeGuidance(model.Forward, cond, negative, 5.0).Predict(x, t).sum();
        loss.backward();

        // the toy model is x * mean(context), so d sum(out) / d n_ij = (1 - s) sum(x) / (T D)
        var expected = (1 - 5.0) * x.sum().item<float>() / (T * D);
        Assert.NotNull(negative.grad);
        Assert.True(allclose(negative.grad!, full([T, D], expected), rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void RenegStep_NoGradDdimThenOneGuidedStep_GradientReachesOnlyTheNegativeEmbedding()
    {
        // The ReNeg loop: deterministic DDIM without gradient down to a late step k, then one guided prediction with
        // gradient, x0 = PredictOriginal(guided, x_t, t_k), and a loss on x0.
        var schedule = new NoiseSchedule(new NoiseScheduleConfig { PredictionType = "v_prediction", BetaSchedule = "cosine" });
        var model = new ToyModel();
        using var cond = randn([B, T, D], generator: new Generator(14));
        using var negative = zeros([T, D], requires_grad: true);
        using var generator = new Generator(15);
        using var noise = randn([B, 2, 4, 4], generator: generator);
        var guidance = new ClassifierFreeGuidance(model.Forward, cond, negative, 5.0);
        const int Steps = 30;
        const int K = 25;

        Tensor xt;
        using (no_grad())
        {
            xt = Sampling.Run(SamplerKind.Ddim, schedule, guidance.Predict, noise, Steps, generator, new SamplingOptions { StopBeforeStep = K });
        }

        using (xt)
        using (var t = full([B], schedule.InferenceTimesteps(Steps)[K]))
        using (var x0 = schedule.PredictOriginal(guidance.Predict(xt, t), xt, t))
        using (var loss = x0.square().mean())
        {
            Assert.False(xt.requires_grad);
            loss.backward();
        }

        Assert.NotNull(negative.grad);
        Assert.True(negative.grad!.abs().sum().item<float>() > 0, "the learned negative embedding gets a gradient");
        Assert.Null(cond.grad);
    }

    [Fact]
    public void Run_WithGuidance_SamplesTheBatchShape()
    {
        var schedule = new NoiseSchedule(new NoiseScheduleConfig());
        var model = new ToyModel();
        using var cond = randn([B, T, D], generator: new Generator(12));
        using var uncond = zeros(T, D);
        using var generator = new Generator(13);
        using var noise = randn([B, 2, 4, 4], generator: generator);

        using var sample = Sampling.Run(SamplerKind.Ddim, schedule, ClassifierFreeGuidance.Create(model.Forward, cond, uncond, 3.0), noise, 5, generator);

        Assert.Equal([B, 2L, 4, 4], sample.shape);
        Assert.Equal(Enumerable.Repeat(2L * B, 5), model.Batches);
    }

    /// <summary>A per-sample conditional model: out = x * mean(context) + t / 1000, recording its batch sizes.</summary>
    private sealed class ToyModel
    {
        public List<long> Batches { get; } = [];

        public Tensor Forward(Tensor x, Tensor t, Tensor context)
        {
            Batches.Add(x.shape[0]);
            using var scope = NewDisposeScope();
            var gain = context.mean([1, 2]).reshape(-1, 1, 1, 1);                 // (B, 1, 1, 1)
            var shift = t.to_type(ScalarType.Float32).reshape(-1, 1, 1, 1) / 1000; // (B, 1, 1, 1)
            return (x * gain + shift).MoveToOuterDisposeScope();
        }
    }
}
