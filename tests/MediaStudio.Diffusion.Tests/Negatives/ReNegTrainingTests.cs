using MediaStudio.Diffusion.Negatives;
using MediaStudio.Diffusion.Tests.Pipelines;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Negatives;

[Collection(NativeTestGroup.Name)]
public sealed class ReNegTrainingTests
{
    private static readonly ReNegOptions Options = new()
    {
        BatchSize = 2,
        LearningRate = 0.05,
        Guidance = 3,
        SamplingSteps = 4,
        LateSteps = 2,
        RefineSteps = 3,
        RefinePatience = 2,
        RefineLearningRate = 0.05,
    };

    private static readonly string[] Prompts = ["a large red circle on the left", "a small blue square at the top"];

    [Fact]
    public void Loss_FewSteps_RaiseAToyReward()
    {
        using var pipeline = TinyPipeline.Create();
        var training = new ReNegTraining(pipeline, new Brightness(), Options);
        using var negative = new LearnedNegative(pipeline.EmptyPromptStates);
        using var optimizer = optim.Adam([negative.Embedding], 0.3);
        using var noise = randn([2, 4, 8, 8], generator: new Generator(5));
        double Reward()
        {
            using var noGrad = no_grad();
            using var loss = training.Loss(negative.Embedding, Prompts, noise, 3);
            return -loss.item<float>();
        }

        var before = Reward();
        for (var step = 0; step < 5; step++)
        {
            optimizer.zero_grad();
            using var loss = training.Loss(negative.Embedding, Prompts, noise, 3);
            loss.backward();
            optimizer.step();
        }

        var after = Reward();
        Assert.True(after > before + 2e-3, $"the toy reward went from {before} to {after}");
    }

    [Fact]
    public void Loss_GradientReachesOnlyTheEmbedding()
    {
        using var pipeline = TinyPipeline.Create();
        var training = new ReNegTraining(pipeline, new Brightness(), Options);
        using var negative = new LearnedNegative(pipeline.EmptyPromptStates);

        using var loss = training.Loss(negative, Prompts, step: 0);
        loss.backward();

        Assert.True(negative.Embedding.grad is { } g && g.abs().sum().item<float>() > 0, "the embedding gets a gradient");
        Assert.All(pipeline.UNet.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void Refine_NeverEndsWorseThanTheGlobalEmbedding()
    {
        using var pipeline = TinyPipeline.Create();
        var training = new ReNegTraining(pipeline, new Brightness(), Options);

        var (states, trace) = training.Refine(pipeline.EmptyPromptStates, Prompts[0], seed: 3, cancellationToken: TestContext.Current.CancellationToken);
        using (states)
        {
            var best = training.Rewards(states, [Prompts[0]], [3])[0];

            Assert.InRange(trace.Count, 2, Options.RefineSteps + 1);
            Assert.True(best >= trace[0] - 1e-5, $"refined {best} < global {trace[0]}");
            Assert.Equal(trace.Max(), best, 4);
        }
    }

    // a differentiable toy reward: brighter images score higher
    private sealed class Brightness : IRewardFunction
    {
        public Tensor Score(Tensor images, IReadOnlyList<string> prompts) => images.mean([1, 2, 3]);
    }
}
