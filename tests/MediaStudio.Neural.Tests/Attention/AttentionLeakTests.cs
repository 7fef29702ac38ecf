using MediaStudio.Neural.Attention;
using MediaStudio.Neural.Caching;
using TorchSharp;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Attention;

[Collection(NativeTestGroup.Name)]
public sealed class AttentionLeakTests
{
    public static TheoryData<AttentionKind> Kinds => [AttentionKind.GroupedQuery, AttentionKind.Eager, AttentionKind.MultiHeadLatent, AttentionKind.MultiScaleWindow];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_InsideScope_LiveTensorCountReturnsToBaseline(AttentionKind kind)
    {
        var config = TinyAttention.Config() with
        {
            Kind = kind,
            Latent = new LatentAttentionConfig { KeyValueRank = 12, NopeHeadDim = 6, RopeHeadDim = 4, ValueHeadDim = 8 },
            Window = new WindowAttentionConfig { Windows = [2, 3, 5, 5] },
        };
        using var attention = AttentionFactory.Create(config);
        using var x = TinyAttention.Hidden(2, 11);
        var statistics = DisposeScopeManager.Statistics;
        statistics.Reset();
        var baseline = statistics.ThreadTotalLiveCount;

        using (NewDisposeScope())
        {
            var y = attention.forward(new AttentionInput(x) { IsCausal = true }).Hidden;
            Assert.Equal([2L, 11, 32], y.shape);
            Assert.True(statistics.ThreadTotalLiveCount > baseline);
        }

        Assert.Equal(baseline, statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Decoding_CacheDisposed_LiveTensorCountReturnsToBaseline()
    {
        using var attention = new GroupedQueryAttention(TinyAttention.Config());
        using var x = TinyAttention.Hidden(1, 4);
        var statistics = DisposeScopeManager.Statistics;
        statistics.Reset();
        var baseline = statistics.ThreadTotalLiveCount;

        using (var cache = new FullKvCache(layers: 1, batch: 1, kvHeads: 4, headDim: 8, capacity: 8))
        {
            for (var step = 0; step < 4; step++)
            {
                using var scope = NewDisposeScope();   // one scope per generated token
                attention.forward(new AttentionInput(x.narrow(1, step, 1)) { IsCausal = true, Cache = cache });
            }

            Assert.Equal(baseline + 2, statistics.ThreadTotalLiveCount); // the cache's key and value buffers
        }

        Assert.Equal(baseline, statistics.ThreadTotalLiveCount);
    }
}
