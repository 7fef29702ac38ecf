using MediaStudio.Neural.Attention;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Attention;

[Collection(NativeTestGroup.Name)]
public sealed class LatentAttentionInitTests
{
    [Theory]
    [InlineData(4, 0)]   // MHA, full query
    [InlineData(2, 0)]   // GQA
    [InlineData(1, 32)]  // MQA, SVD-factored query at full rank
    public void FromAttention_FullRankWithoutRope_ReproducesTheSource(int kvHeads, int queryRank)
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        var config = TinyAttention.Config(heads: 4, kvHeads: kvHeads, rope: false);
        using var source = new GroupedQueryAttention(config);
        var input = new AttentionInput(TinyAttention.Hidden(2, 9)) { IsCausal = true };

        // "RoPE set aside" (papers-llm.md §1): the source has no RoPE and the MLA layer no rotary slice
        using var mla = LatentAttentionInit.FromAttention(source, config, kvRank: 32, queryRank: queryRank, ropeDim: 0);

        Assert.True(TinyAttention.MaxAbsDiff(source.forward(input).Hidden, mla.ForwardNaive(input).Hidden) < 1e-4f);
        Assert.True(TinyAttention.MaxAbsDiff(source.forward(input).Hidden, mla.ForwardAbsorbed(input).Hidden) < 1e-4f);
    }

    [Fact]
    public void FromAttention_LowerRank_ErrorShrinksAsRankGrows()
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        var config = TinyAttention.Config(heads: 4, kvHeads: 4, rope: false);
        using var source = new GroupedQueryAttention(config);
        var input = new AttentionInput(TinyAttention.Hidden(1, 9)) { IsCausal = true };
        var expected = source.forward(input).Hidden;
        float Error(int rank)
        {
            using var mla = LatentAttentionInit.FromAttention(source, config, kvRank: rank);
            return TinyAttention.MaxAbsDiff(expected, mla.forward(input).Hidden);
        }

        var (low, mid, full) = (Error(8), Error(20), Error(32));

        Assert.True(low > mid && mid > full, $"errors {low}, {mid}, {full}");
    }

    [Fact]
    public void FromAttention_WithRope_KeepsTheRotarySliceOfTheSingleKvHead()
    {
        using var scope = NewDisposeScope();
        manual_seed(14);
        var config = TinyAttention.Config(heads: 4, kvHeads: 1, rope: true);
        using var source = new GroupedQueryAttention(config);

        using var mla = LatentAttentionInit.FromAttention(source, config, kvRank: 32, ropeDim: 4);

        // with one KV head the shared rotary key is exactly the source key's pairs (0, 1) and (4, 5)
        var sourceKey = source.state_dict()["k_proj.weight"].index_select(0, tensor(new long[] { 0, 1, 4, 5 }));
        var ropeKey = mla.state_dict()["kv_a_proj_with_mqa.weight"].narrow(0, 32, 4);
        Assert.True(TinyAttention.MaxAbsDiff(sourceKey, ropeKey) < 1e-6f);
        Assert.Equal(8, mla.Config.HeadSize);
        Assert.Equal(8, mla.Config.Latent!.RopeFrequencyDim);
    }
}
