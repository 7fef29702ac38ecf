using MediaStudio.Neural.Attention;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Attention;

[Collection(NativeTestGroup.Name)]
public sealed class MultiHeadLatentAttentionTests
{
    internal static AttentionConfig Latent(int queryRank = 0, int ropeDim = 4) => TinyAttention.Config() with
    {
        Kind = AttentionKind.MultiHeadLatent,
        Latent = new LatentAttentionConfig { QueryRank = queryRank, KeyValueRank = 12, NopeHeadDim = 6, RopeHeadDim = ropeDim, ValueHeadDim = 5 },
    };

    [Theory]
    [InlineData(0, 4, false)]
    [InlineData(0, 4, true)]
    [InlineData(16, 4, true)]
    [InlineData(16, 0, true)]
    public void ForwardAbsorbed_EqualsForwardNaive(int queryRank, int ropeDim, bool causal)
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        using var mla = new MultiHeadLatentAttention(Latent(queryRank, ropeDim));
        var input = new AttentionInput(TinyAttention.Hidden(2, 10)) { IsCausal = causal };

        var naive = mla.ForwardNaive(input).Hidden;
        var absorbed = mla.ForwardAbsorbed(input).Hidden;

        Assert.Equal([2L, 10, 32], naive.shape);
        Assert.True(TinyAttention.MaxAbsDiff(naive, absorbed) < 1e-5f);
    }

    [Fact]
    public void ForwardAbsorbed_WithPaddingMask_EqualsForwardNaive()
    {
        using var scope = NewDisposeScope();
        manual_seed(10);
        using var mla = new MultiHeadLatentAttention(Latent());
        var padding = arange(7).unsqueeze(0).lt(tensor(new long[] { 7, 4 }).unsqueeze(1));
        var input = new AttentionInput(TinyAttention.Hidden(2, 7)) { IsCausal = true, KeyPadding = padding };

        Assert.True(TinyAttention.MaxAbsDiff(mla.ForwardNaive(input).Hidden, mla.ForwardAbsorbed(input).Hidden) < 1e-5f);
    }
}
