using MediaStudio.Neural.Layers;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Layers;

[Collection(NativeTestGroup.Name)]
public sealed class FeedForwardTests
{
    private static TorchSharp.Modules.Parameter Weight(nn.Module module, string name) => module.named_parameters().Single(p => p.name == name).parameter;

    [Fact]
    public void SwiGlu_Forward_MatchesFormula()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var block = new SwiGlu(8, 12);
        var x = randn(2, 3, 8);

        var y = block.forward(x);

        var gate = x.matmul(Weight(block, "gate_proj.weight").t());
        var up = x.matmul(Weight(block, "up_proj.weight").t());
        var expected = (gate * gate.sigmoid() * up).matmul(Weight(block, "down_proj.weight").t());
        TensorAssert.Shape(y, 2, 3, 8);
        Assert.True(y.allclose(expected, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void GeGlu_Forward_MatchesFormula()
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        using var block = new GeGlu(8, 5);
        var x = randn(2, 3, 8);

        var y = block.forward(x);

        var projected = x.matmul(Weight(block, "proj.weight").t()) + Weight(block, "proj.bias"); // (2, 3, 10)
        var hidden = projected.narrow(-1, 0, 5);
        var gate = projected.narrow(-1, 5, 5);
        var expected = hidden * 0.5 * gate * (1 + (gate / Math.Sqrt(2)).erf());
        TensorAssert.Shape(y, 2, 3, 5);
        Assert.True(y.allclose(expected, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void SinusoidalTimestep_Dim4_MatchesHandComputedValues()
    {
        using var scope = NewDisposeScope();

        // h = 2: frequencies exp(-ln(1e4) * k / 2) = [1, 0.01]; flipped puts cosines first
        var emb = SinusoidalTimestep.Embed(tensor(new long[] { 0, 1 }), 4).data<float>().ToArray();

        var expected = new[] { 1f, 1f, 0f, 0f, MathF.Cos(1), MathF.Cos(0.01f), MathF.Sin(1), MathF.Sin(0.01f) };
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], emb[i], 5);
        }
    }

    [Fact]
    public void SinusoidalTimestep_OddDimUnflipped_PadsLastColumnWithZero()
    {
        using var scope = NewDisposeScope();

        var emb = SinusoidalTimestep.Embed(full(1, 3.5f), 5, flipSinToCos: false);

        TensorAssert.Shape(emb, 1, 5);
        Assert.Equal(MathF.Sin(3.5f), emb[0, 0].item<float>(), 5);
        Assert.Equal(0f, emb[0, 4].item<float>());
    }

    [Fact]
    public void TimestepEmbedding_DifferentTimesteps_GiveDifferentEmbeddings()
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        using var embedding = new TimestepEmbedding(16, 64);

        var y = embedding.forward(tensor(new long[] { 1, 500 }));

        TensorAssert.Shape(y, 2, 64);
        Assert.False(y[0].allclose(y[1]));
    }
}
