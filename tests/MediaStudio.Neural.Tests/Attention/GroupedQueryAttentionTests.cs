using MediaStudio.Neural.Attention;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Attention;

[Collection(NativeTestGroup.Name)]
public sealed class GroupedQueryAttentionTests
{
    public static TheoryData<string> MaskKinds => ["none", "causal", "padding", "boolean", "causal+padding+boolean"];

    [Theory]
    [MemberData(nameof(MaskKinds))]
    public void Forward_FusedAndEager_Agree(string maskKind)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var fused = new GroupedQueryAttention(TinyAttention.Config(heads: 4, kvHeads: 2));
        using var eager = new GroupedQueryAttention(TinyAttention.Config(heads: 4, kvHeads: 2), eager: true);
        eager.load_state_dict(fused.state_dict());
        var x = TinyAttention.Hidden(2, 9);
        // right padding: the second sequence has 6 real tokens, so every causal row keeps at least one key
        var padding = arange(9).unsqueeze(0).lt(tensor(new long[] { 9, 6 }).unsqueeze(1));          // (B, S)
        var boolean = rand([1, 4, 9, 9], generator: new Generator(2)).gt(0.3).logical_or(eye(9, dtype: ScalarType.Bool)); // keep the diagonal
        var input = new AttentionInput(x)
        {
            IsCausal = maskKind.Contains("causal", StringComparison.Ordinal),
            KeyPadding = maskKind.Contains("padding", StringComparison.Ordinal) ? padding : null,
            Mask = maskKind.Contains("boolean", StringComparison.Ordinal) ? boolean : null,
        };

        var a = fused.forward(input).Hidden;
        var b = eager.forward(input).Hidden;

        Assert.Equal([2L, 9, 32], a.shape);
        Assert.True(TinyAttention.MaxAbsDiff(a, b) < 1e-5f);
    }

    [Fact]
    public void Forward_CausalMask_FutureTokensDoNotChangeThePast()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var attention = new GroupedQueryAttention(TinyAttention.Config(heads: 4, kvHeads: 1));
        var x = TinyAttention.Hidden(1, 8);
        var changed = x.clone();
        changed[0, 7] = randn(32, generator: new Generator(9));

        var a = attention.forward(new AttentionInput(x) { IsCausal = true }).Hidden.narrow(1, 0, 7);
        var b = attention.forward(new AttentionInput(changed) { IsCausal = true }).Hidden.narrow(1, 0, 7);

        Assert.True(TinyAttention.MaxAbsDiff(a, b) < 1e-6f);
    }

    [Fact]
    public void Create_EachKind_BuildsItsVariant()
    {
        var windowed = TinyAttention.Config() with { Kind = AttentionKind.MultiScaleWindow, Window = new WindowAttentionConfig { Windows = [2, 2, 4, 8] } };
        var latent = TinyAttention.Config() with
        {
            Kind = AttentionKind.MultiHeadLatent,
            Latent = new LatentAttentionConfig { KeyValueRank = 8, NopeHeadDim = 4, RopeHeadDim = 4, ValueHeadDim = 8 },
        };

        using var a = AttentionFactory.Create(TinyAttention.Config());
        using var b = AttentionFactory.Create(TinyAttention.Config() with { Kind = AttentionKind.Eager });
        using var c = AttentionFactory.Create(windowed);
        using var d = AttentionFactory.Create(latent);

        Assert.IsType<GroupedQueryAttention>(a);
        Assert.True(Assert.IsType<GroupedQueryAttention>(b).Eager);
        Assert.IsType<MultiScaleWindowAttention>(c);
        Assert.IsType<MultiHeadLatentAttention>(d);
    }

    [Fact]
    public void Validate_KvHeadsNotDividingHeads_NamesTheValue()
    {
        var error = Assert.Throws<ArgumentException>(() => TinyAttention.Config(heads: 4, kvHeads: 3).Validate());

        Assert.Contains("num_key_value_heads", error.Message, StringComparison.Ordinal);
    }
}
