using MediaStudio.Language.Captioning;
using MediaStudio.Language.Generation;
using static TorchSharp.torch;

namespace MediaStudio.Language.Tests;

[Collection(NativeTestGroup.Name)]
public sealed class SamplingTests
{
    private static readonly float[] Scores = [1, 5, 3, 4, 2];
    private static readonly float[] Probabilities = [0.5f, 0.3f, 0.15f, 0.05f];

    [Fact]
    public void Filter_TopK_KeepsTheKLargest()
    {
        using var logits = tensor(Scores, [1, 5]);

        using var filtered = TokenSampler.Filter(logits, topK: 2, topP: 1);

        var kept = filtered.data<float>().Select((v, i) => (v, i)).Where(p => float.IsFinite(p.v)).Select(p => p.i).ToArray();
        Assert.Equal([1, 3], kept);
    }

    [Theory]
    [InlineData(0.5f, new[] { 0 })]
    [InlineData(0.75f, new[] { 0, 1 })]
    [InlineData(0.95f, new[] { 0, 1, 2 })]
    [InlineData(0.01f, new[] { 0 })]
    public void Filter_TopP_KeepsTheSmallestNucleusReachingP(float topP, int[] expected)
    {
        // probabilities 0.5, 0.3, 0.15, 0.05
        using var logits = tensor(Probabilities, [1, 4]).log();

        using var filtered = TokenSampler.Filter(logits, topK: 0, topP: topP);

        var kept = filtered.data<float>().Select((v, i) => (v, i)).Where(p => float.IsFinite(p.v)).Select(p => p.i).ToArray();
        Assert.Equal(expected, kept);
    }

    [Fact]
    public void Next_TopKOne_EqualsGreedy()
    {
        random.manual_seed(1);
        using var logits = randn(6, 40);
        using var generator = new Generator(9);

        using var sampled = TokenSampler.Next(logits, new GenerationOptions { Temperature = 1.5f, TopK = 1 }, generator);
        using var greedy = TokenSampler.Next(logits, new GenerationOptions(), null);

        Assert.Equal(greedy.data<long>().ToArray(), sampled.data<long>().ToArray());
    }

    [Fact]
    public void Next_SampledManyTimes_NeverLeavesTheNucleus()
    {
        using var logits = tensor(Probabilities, [1, 4]).log().expand(2000, 4).contiguous();
        using var generator = new Generator(3);

        using var ids = TokenSampler.Next(logits, new GenerationOptions { Temperature = 1, TopP = 0.75f }, generator);

        var counts = ids.data<long>().GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([0L, 1L], counts.Keys.Order());
        Assert.InRange(counts[0] / 2000.0, 0.55, 0.70); // renormalised 0.5 / 0.8 = 0.625
    }
}
