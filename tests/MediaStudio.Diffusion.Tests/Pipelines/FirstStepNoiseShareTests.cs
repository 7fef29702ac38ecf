using MediaStudio.Diffusion.Pipelines;

namespace MediaStudio.Diffusion.Tests.Pipelines;

/// <summary><c>eval t2i</c>'s noise share of the first step: the part of the x0 prediction at t = N - 1 that varies with
/// the seed rather than the prompt.</summary>
[Collection(NativeTestGroup.Name)]
public sealed class FirstStepNoiseShareTests
{
    [Fact]
    public void NoiseShare_OnePromptRepeated_IsAllNoise()
    {
        using var pipeline = TinyPipeline.Create();

        var share = TextToImageEvaluation.NoiseShareOfFirstStep(pipeline, ["a red circle at the left", "a red circle at the left", "a red circle at the left"], 3, 5);

        // with every prompt the same, the prompts' means coincide and all the variance lies between seeds
        Assert.Equal(1.0, share, 1e-4);
    }

    [Fact]
    public void NoiseShare_DifferentPrompts_IsAShareAndRepeatable()
    {
        using var pipeline = TinyPipeline.Create();
        string[] prompts = ["a big red circle at the left", "a small blue star at the top", "a green ring in the middle on a black background"];

        var share = TextToImageEvaluation.NoiseShareOfFirstStep(pipeline, prompts, 4, 5);
        var again = TextToImageEvaluation.NoiseShareOfFirstStep(pipeline, prompts, 4, 5);

        Assert.InRange(share, 0.0, 1.0);
        Assert.True(share < 1.0 - 1e-4, $"distinct prompts must move the prediction apart (share {share})");
        Assert.Equal(share, again, 1e-9);
    }

    [Fact]
    public void NoiseShare_OneSeed_IsRejected()
    {
        using var pipeline = TinyPipeline.Create();

        Assert.Throws<ArgumentOutOfRangeException>(() => TextToImageEvaluation.NoiseShareOfFirstStep(pipeline, ["a red circle"], 1, 5));
    }
}
