using MediaStudio.Neural.Pat;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Pat;

[Collection(NativeTestGroup.Name)]
public sealed class PatBlocksTests
{
    private const long Channels = 16;

    public static TheoryData<string> Mixers => ["pconv", "pat_ch", "pat_sp", "pat_sf", "block_ch", "block_sf"];

    private static nn.Module<Tensor, Tensor> Create(string kind)
    {
        var config = PatNetConfig.Tiny with { AttentionDropout = 0 };
        return kind switch
        {
            "pconv" => new PartialConv(Channels, 4),
            "pat_ch" => new PatChannelAttention(Channels, 4),
            "pat_sp" => new PatSpatialGate(Channels),
            "pat_sf" => new PatSelfAttention(Channels, 4, 4, 0),
            "block_ch" => new PatBlock(config, Channels, PatMixer.ChannelAttention, 0),
            "block_sf" => new PatBlock(config, Channels, PatMixer.SelfAttention, 0),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    [Theory]
    [MemberData(nameof(Mixers))]
    public void Forward_RectangularMap_KeepsShape(string kind)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var module = Create(kind);

        var y = module.forward(randn(2, Channels, 5, 7));

        TensorAssert.Shape(y, 2, Channels, 5, 7);
        TensorAssert.Finite(y, kind);
    }

    [Theory]
    [MemberData(nameof(Mixers))]
    public void Backward_RandomProjectionLoss_ReachesEveryParameter(string kind)
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var module = Create(kind);
        var x = randn(2, Channels, 4, 4, requires_grad: true);

        // a random projection, not a plain sum: the sum of a BatchNorm output has zero gradient by construction
        (module.forward(x) * randn(2, Channels, 4, 4)).sum().backward();

        TensorAssert.GradientsFlow(module);
        Assert.True(x.grad!.abs().max().item<float>() > 0);
    }

    [Theory]
    [MemberData(nameof(Mixers))]
    public void Forward_TinyMapsInTraining_NoNaNInOutputOrGradients(string kind)
    {
        foreach (var size in new long[] { 1, 2 })
        {
            using var scope = NewDisposeScope();
            manual_seed(3);
            using var module = Create(kind);
            module.train();
            var x = randn(2, Channels, size, size, requires_grad: true);

            var y = module.forward(x);
            (y * randn(y.shape)).sum().backward();

            TensorAssert.Finite(y, $"{kind} output on {size}x{size}");
            TensorAssert.Finite(x.grad!, $"{kind} input gradient on {size}x{size}");
            foreach (var (name, p) in module.named_parameters())
            {
                TensorAssert.Finite(p.grad!, $"{kind} gradient of {name} on {size}x{size}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Mixers))]
    public void Forward_SinglePixelBatchOfOneInEval_IsFinite(string kind)
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var module = Create(kind);
        module.eval();

        using var guard = no_grad();
        var y = module.forward(randn(1, Channels, 1, 1));

        TensorAssert.Finite(y, kind);
    }

    [Fact]
    public void PartialConv_Forward_PassesUntouchedChannelsThrough()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var module = new PartialConv(Channels, 4);
        var x = randn(2, Channels, 6, 6);

        var y = module.forward(x);

        Assert.True(y.narrow(1, 4, 12).eq(x.narrow(1, 4, 12)).all().item<bool>());
        Assert.False(y.narrow(1, 0, 4).allclose(x.narrow(1, 0, 4)));
    }

    [Fact]
    public void RelativePositionBuckets_Grid_MatchesRoundedEuclideanDistance()
    {
        var buckets = PatSelfAttention.RelativePositionBuckets(3, 3);

        Assert.Equal(81, buckets.Length);
        Assert.Equal(PatSelfAttention.Beta, buckets[0]);                 // (0,0)-(0,0)
        Assert.Equal(PatSelfAttention.Beta + 1, buckets[1]);             // (0,0)-(0,1): 1
        Assert.Equal(PatSelfAttention.Beta + 1, buckets[(4 * 9) + 5]);   // (1,1)-(1,2): 1
        Assert.Equal(PatSelfAttention.Beta + 3, buckets[8]);             // (0,0)-(2,2): sqrt(8) = 2.83 -> 3
        Assert.Equal(PatSelfAttention.Beta + 2, buckets[(8 * 9) + 6]);   // (2,2)-(2,0): 2
    }

    [Fact]
    public void RelativePositionBuckets_BeyondAlpha_AreLogCompressedAndCapped()
    {
        var row = PatSelfAttention.RelativePositionBuckets(1, 200);

        // distance 30: 20 + ln(30/20) / ln(160/20) * 20 = 23.9 -> 24
        Assert.Equal(PatSelfAttention.Beta + 24, row[30]);
        // distance 199 > gamma: capped at beta
        Assert.Equal(2 * PatSelfAttention.Beta, row[199]);
    }

    [Fact]
    public void PatSelfAttention_BiasTable_ChangesOutputWhenNonZero()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        using var module = new PatSelfAttention(Channels, 4, 4, 0);
        module.eval();
        var x = randn(1, Channels, 3, 3);
        using var guard = no_grad();
        var before = module.forward(x);

        foreach (var (name, p) in module.named_parameters())
        {
            if (name == "relative_position_bias_table")
            {
                p.copy_(arange(p.numel()).reshape(p.shape).to(float32) * 0.1f);
            }
        }

        var after = module.forward(x);

        Assert.False(before.allclose(after));
        Assert.True(before.narrow(1, 0, 4).eq(after.narrow(1, 0, 4)).all().item<bool>()); // conv part untouched by the bias
    }
}
