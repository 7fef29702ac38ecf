using MediaStudio.Neural.Layers;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Layers;

[Collection(NativeTestGroup.Name)]
public sealed class RotaryEmbeddingTests
{
    [Fact]
    public void Forward_PositionZero_IsIdentity()
    {
        using var scope = NewDisposeScope();
        using var rope = new RotaryEmbedding(8);
        var x = randn([1, 2, 1, 8], generator: new Generator(3));

        var y = rope.forward(x, zeros(1, dtype: ScalarType.Int64));

        Assert.True((x - y).abs().max().item<float>() < 1e-6f);
    }

    [Fact]
    public void Forward_ScoresDependOnlyOnRelativePosition()
    {
        using var scope = NewDisposeScope();
        using var rope = new RotaryEmbedding(16);
        var q = randn([1, 1, 1, 16], generator: new Generator(4));
        var k = randn([1, 1, 1, 16], generator: new Generator(5));
        float Score(long m, long n) => (rope.forward(q, tensor(new[] { m })) * rope.forward(k, tensor(new[] { n }))).sum().item<float>();

        Assert.Equal(Score(7, 3), Score(104, 100), 3);
        Assert.NotEqual(Score(7, 3), Score(3, 3), 2);
    }

    [Fact]
    public void Forward_FrequencyDimWider_MatchesTheWideHeadsFirstPairs()
    {
        using var scope = NewDisposeScope();
        using var wide = new RotaryEmbedding(16);
        using var slice = new RotaryEmbedding(4, frequencyDim: 16);
        var x = randn([1, 1, 3, 16], generator: new Generator(6));
        var positions = arange(5, 8);
        var pairs = tensor(new long[] { 0, 1, 8, 9 });

        var expected = wide.forward(x, positions).index_select(-1, pairs);
        var actual = slice.forward(x.index_select(-1, pairs), positions);

        Assert.True((expected - actual).abs().max().item<float>() < 1e-5f);
    }
}
