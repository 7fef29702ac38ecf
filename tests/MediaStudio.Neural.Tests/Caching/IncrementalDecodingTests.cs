using MediaStudio.Neural.Attention;
using MediaStudio.Neural.Caching;
using MediaStudio.Neural.Tests.Attention;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Caching;

/// <summary>Prefill a prompt, then feed tokens one (or a few) at a time through each cache: outputs must equal the full-sequence forward.</summary>
[Collection(NativeTestGroup.Name)]
public sealed class IncrementalDecodingTests
{
    private static readonly int[] Steps = [5, 1, 1, 3, 1, 1, 1, 1, 2];  // prompt of 5, then single tokens and small chunks; 16 tokens

    private static Tensor Decode(nn.Module<AttentionInput, AttentionOutput> attention, Tensor x, IKvCache cache, int layers = 2)
    {
        var outputs = new List<Tensor>();
        var start = 0L;
        foreach (var step in Steps)
        {
            var chunk = x.narrow(1, start, step);
            for (var layer = 0; layer < layers; layer++)
            {
                // every layer sees the same input here; the point is that each layer keeps its own entries
                var y = attention.forward(new AttentionInput(chunk) { IsCausal = true, Cache = cache, LayerIndex = layer }).Hidden;
                if (layer == layers - 1)
                {
                    outputs.Add(y);
                }
            }

            start += step;
            Assert.Equal(start, cache.Length);
        }

        return cat(outputs, 1);
    }

    [Fact]
    public void FullKvCache_GqaDecoding_EqualsFullForward()
    {
        using var scope = NewDisposeScope();
        manual_seed(20);
        using var attention = new GroupedQueryAttention(TinyAttention.Config(heads: 4, kvHeads: 2));
        using var cache = new FullKvCache(layers: 2, batch: 2, kvHeads: 2, headDim: 8, capacity: 32);
        var x = TinyAttention.Hidden(2, 16);

        var decoded = Decode(attention, x, cache);
        var full = attention.forward(new AttentionInput(x) { IsCausal = true }).Hidden;

        Assert.True(TinyAttention.MaxAbsDiff(decoded, full) < 1e-5f);
    }

    [Fact]
    public void LatentKvCache_MlaDecoding_EqualsFullForward()
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        using var mla = new MultiHeadLatentAttention(MultiHeadLatentAttentionTests.Latent(queryRank: 16));
        using var cache = new LatentKvCache(layers: 2, batch: 2, kvRank: 12, ropeDim: 4, capacity: 16);
        var x = TinyAttention.Hidden(2, 16);

        var decoded = Decode(mla, x, cache);              // single tokens take the absorbed path, chunks the naive one
        var full = mla.ForwardNaive(new AttentionInput(x) { IsCausal = true }).Hidden;

        Assert.True(TinyAttention.MaxAbsDiff(decoded, full) < 1e-5f);
    }

    [Theory]
    [InlineData(4)]  // MHA: each KV head keeps its own window
    [InlineData(2)]  // GQA: a KV head keeps the larger window of the query heads sharing it
    public void SlidingWindowKvCache_MswaDecoding_EqualsFullForward(int kvHeads)
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        var config = TinyAttention.Config(heads: 4, kvHeads: kvHeads) with
        {
            Kind = AttentionKind.MultiScaleWindow,
            Window = new WindowAttentionConfig { Windows = [2, 3, 5, 5] },
        };
        using var attention = new MultiScaleWindowAttention(config);
        using var cache = new SlidingWindowKvCache([attention.KeyValueWindows, attention.KeyValueWindows], batch: 2, headDim: 8);
        var x = TinyAttention.Hidden(2, 16);

        var decoded = Decode(attention, x, cache);
        var full = attention.forward(new AttentionInput(x)).Hidden;

        Assert.True(TinyAttention.MaxAbsDiff(decoded, full) < 1e-5f);
    }

    [Fact]
    public void FullKvCache_TruncateThenRedecode_MatchesFirstPass()
    {
        using var scope = NewDisposeScope();
        manual_seed(23);
        using var attention = new GroupedQueryAttention(TinyAttention.Config());
        using var cache = new FullKvCache(layers: 1, batch: 1, kvHeads: 4, headDim: 8, capacity: 16);
        var x = TinyAttention.Hidden(1, 8);
        attention.forward(new AttentionInput(x.narrow(1, 0, 6)) { IsCausal = true, Cache = cache });
        var first = attention.forward(new AttentionInput(x.narrow(1, 6, 2)) { IsCausal = true, Cache = cache }).Hidden;

        cache.Truncate(6);
        var again = attention.forward(new AttentionInput(x.narrow(1, 6, 2)) { IsCausal = true, Cache = cache }).Hidden;

        Assert.True(TinyAttention.MaxAbsDiff(first, again) < 1e-6f);
    }

    [Fact]
    public void SlidingWindowKvCache_RollbackWithinHeadroom_MatchesFirstPass()
    {
        using var scope = NewDisposeScope();
        manual_seed(24);
        var config = TinyAttention.Config() with { Kind = AttentionKind.MultiScaleWindow, Window = new WindowAttentionConfig { Windows = [2, 2, 4, 4] } };
        using var attention = new MultiScaleWindowAttention(config);
        using var cache = new SlidingWindowKvCache([attention.KeyValueWindows], batch: 1, headDim: 8, headroom: 3);
        var x = TinyAttention.Hidden(1, 12);
        attention.forward(new AttentionInput(x.narrow(1, 0, 8)) { Cache = cache });
        var first = attention.forward(new AttentionInput(x.narrow(1, 8, 3)) { Cache = cache }).Hidden;

        cache.Truncate(8);
        var again = attention.forward(new AttentionInput(x.narrow(1, 8, 3)) { Cache = cache }).Hidden;

        Assert.True(TinyAttention.MaxAbsDiff(first, again) < 1e-6f);
        Assert.Throws<InvalidOperationException>(() => cache.Truncate(4));
    }

    [Fact]
    public void BytesPerToken_EachCache_CountsExactlyWhatItKeeps()
    {
        using var full = new FullKvCache(layers: 3, batch: 2, kvHeads: 8, headDim: 32, capacity: 64);
        using var latent = new LatentKvCache(layers: 3, batch: 2, kvRank: 64, ropeDim: 16, capacity: 64);
        using var sliding = new SlidingWindowKvCache([[4, 4, 16, 16]], batch: 2, headDim: 32);

        Assert.Equal(3L * 2 * 8 * 32 * 4, full.BytesPerToken);
        Assert.Equal(3L * (64 + 16) * 4, latent.BytesPerToken);
        Assert.Equal(2L * 64 * full.BytesPerToken, full.AllocatedBytes);
        Assert.Equal(((2 * 4) + (2 * 10)) * 2L * 32 * 4, sliding.BytesAt(10));   // windows of 4 are full, windows of 16 hold 10
        Assert.Equal(((2 * 4) + (2 * 16)) * 2L * 32 * 4, sliding.BytesAt(1000));
    }
}
