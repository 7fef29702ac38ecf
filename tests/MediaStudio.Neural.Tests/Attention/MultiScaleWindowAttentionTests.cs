using MediaStudio.Neural.Attention;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Attention;

[Collection(NativeTestGroup.Name)]
public sealed class MultiScaleWindowAttentionTests
{
    private static AttentionConfig Windowed(WindowForm form, int[] windows, int kvHeads = 4, int block = 0) =>
        TinyAttention.Config(heads: 4, kvHeads: kvHeads, rope: form != WindowForm.Local2D) with
        {
            Kind = AttentionKind.MultiScaleWindow,
            Window = new WindowAttentionConfig { Form = form, Windows = windows, BlockSize = block },
        };

    [Theory]
    [InlineData(WindowForm.Causal1D)]
    [InlineData(WindowForm.Temporal1D)]
    public void Forward_1DWindowsCoverTheSequence_EqualsFullAttention(WindowForm form)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var windowed = new MultiScaleWindowAttention(Windowed(form, [13, 13, 20, 40], kvHeads: 2));
        using var full = new GroupedQueryAttention(TinyAttention.Config(heads: 4, kvHeads: 2));
        full.load_state_dict(windowed.state_dict());
        var x = TinyAttention.Hidden(2, 13);

        var a = windowed.forward(new AttentionInput(x)).Hidden;
        var b = full.forward(new AttentionInput(x) { IsCausal = form == WindowForm.Causal1D }).Hidden;

        Assert.True(TinyAttention.MaxAbsDiff(a, b) < 1e-5f);
    }

    [Fact]
    public void Forward_2DWindowsCoverTheGrid_EqualsFullAttention()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var windowed = new MultiScaleWindowAttention(Windowed(WindowForm.Local2D, [7, 7, 9, 9]));
        using var full = new GroupedQueryAttention(TinyAttention.Config(rope: false));
        full.load_state_dict(windowed.state_dict());
        var x = TinyAttention.Hidden(1, 5 * 7);

        var a = windowed.forward(new AttentionInput(x) { Grid = (5, 7) }).Hidden;
        var b = full.forward(new AttentionInput(x)).Hidden;

        Assert.True(TinyAttention.MaxAbsDiff(a, b) < 1e-5f);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Banded1D_WindowCoversTheSequence_EqualsDenseKernel(bool causal)
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = (randn(3, 11, 8), randn(3, 11, 8), randn(3, 11, 8));

        var banded = WindowedAttention.Banded1D(q, k, v, window: 11, causal, block: 4);
        var dense = ScaledDotProduct.Eager(q.unsqueeze(1), k.unsqueeze(1), v.unsqueeze(1), causal).squeeze(1);

        Assert.True(TinyAttention.MaxAbsDiff(banded, dense) < 1e-5f);
    }

    [Theory]
    [InlineData(true, 0, 5, 4)]    // head shorter than a window, body, and a remainder
    [InlineData(true, 0, 9, 3)]    // window longer than a block: the head spans several blocks
    [InlineData(true, 6, 5, 4)]    // cached keys before the queries, fewer than the reach
    [InlineData(true, 20, 5, 4)]   // more cached keys than the reach: the oldest are never seen
    [InlineData(true, 0, 1, 4)]    // window 1: each query sees only itself
    [InlineData(false, 0, 5, 4)]   // bidirectional: a head and a tail
    [InlineData(false, 0, 12, 3)]  // bidirectional, no room for a block
    public void Banded1D_AgainstDenseWindowMask_Agrees(bool causal, int prefix, int window, int block)
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        const int Queries = 23;
        var (q, k, v) = (randn(3, Queries, 8), randn(3, prefix + Queries, 8), randn(3, prefix + Queries, 6));

        var banded = WindowedAttention.Banded1D(q, k, v, window, causal, block);
        var mask = WindowedAttention.DenseMask1D(Queries, prefix + Queries, window, causal);
        var dense = ScaledDotProduct.Eager(q.unsqueeze(1), k.unsqueeze(1), v.unsqueeze(1), mask: mask).squeeze(1);

        Assert.Equal([3L, Queries, 6L], banded.shape);
        Assert.True(TinyAttention.MaxAbsDiff(banded, dense) < 1e-5f);
    }

    [Fact]
    public void Banded2D_WindowCoversTheGrid_EqualsDenseKernel()
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = (randn(2, 20, 8), randn(2, 20, 8), randn(2, 20, 8));

        var banded = WindowedAttention.Banded2D(q, k, v, height: 4, width: 5, window: 5, tile: 3);
        var dense = ScaledDotProduct.Eager(q.unsqueeze(1), k.unsqueeze(1), v.unsqueeze(1)).squeeze(1);

        Assert.True(TinyAttention.MaxAbsDiff(banded, dense) < 1e-5f);
    }

    [Theory]
    [InlineData(WindowForm.Causal1D, 0)]
    [InlineData(WindowForm.Causal1D, 3)]
    [InlineData(WindowForm.Temporal1D, 0)]
    [InlineData(WindowForm.Temporal1D, 5)]
    public void Forward_1DBlocked_EqualsNaiveMaskedReference(WindowForm form, int block)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var attention = new MultiScaleWindowAttention(Windowed(form, [1, 3, 4, 9], kvHeads: 2, block: block));
        var x = TinyAttention.Hidden(2, 23);

        var blocked = attention.forward(new AttentionInput(x)).Hidden;
        var reference = attention.ReferenceForward(new AttentionInput(x)).Hidden;

        Assert.True(TinyAttention.MaxAbsDiff(blocked, reference) < 1e-5f);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Forward_2DBlocked_EqualsNaiveMaskedReference(int tile)
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        using var attention = new MultiScaleWindowAttention(Windowed(WindowForm.Local2D, [1, 2, 2, 3], block: tile));
        var x = TinyAttention.Hidden(2, 6 * 9);

        var blocked = attention.forward(new AttentionInput(x) { Grid = (6, 9) }).Hidden;
        var reference = attention.ReferenceForward(new AttentionInput(x) { Grid = (6, 9) }).Hidden;

        Assert.True(TinyAttention.MaxAbsDiff(blocked, reference) < 1e-5f);
    }

    [Fact]
    public void Forward_SmallWindow_IgnoresTokensOutsideIt()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var attention = new MultiScaleWindowAttention(Windowed(WindowForm.Causal1D, [4, 4, 4, 4]));
        var x = TinyAttention.Hidden(1, 12);
        var changed = x.clone();
        changed[0, 0] = randn(32, generator: new Generator(8));

        var a = attention.forward(new AttentionInput(x)).Hidden.narrow(1, 4, 8);
        var b = attention.forward(new AttentionInput(changed)).Hidden.narrow(1, 4, 8);

        Assert.True(TinyAttention.MaxAbsDiff(a, b) < 1e-6f);
    }

    [Fact]
    public void ForLayer_PaperScheme_GrowsWithDepthAndAcrossHeads()
    {
        var first = WindowSchedule.ForLayer(64, layer: 0, layers: 8, heads: 8);
        var last = WindowSchedule.ForLayer(64, layer: 7, layers: 8, heads: 8);

        Assert.Equal([4, 4, 8, 8, 16, 16, 32, 32], first);
        Assert.Equal([32, 32, 64, 64, 128, 128, 256, 256], last);
    }
}
