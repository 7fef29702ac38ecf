using MediaStudio.Neural.Layers;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Layers;

[Collection(NativeTestGroup.Name)]
public sealed class ResBlockTests
{
    [Fact]
    public void Forward_ChannelChange_UsesShortcutAndKeepsSpatialSize()
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        using var block = new ResBlock(8, 16, 32, groups: 4);

        var y = block.forward(randn(2, 8, 6, 5), randn(2, 32));

        TensorAssert.Shape(y, 2, 16, 6, 5);
        Assert.Contains(block.named_parameters(), p => p.name == "conv_shortcut.weight");
    }

    [Fact]
    public void Forward_DifferentTimestepEmbeddings_ChangeOutput()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        using var block = new ResBlock(8, 8, 32, groups: 4);
        var x = randn(1, 8, 4, 4);

        var a = block.forward(x, randn(1, 32));
        var b = block.forward(x, randn(1, 32));

        Assert.False(a.allclose(b));
        Assert.DoesNotContain(block.named_parameters(), p => p.name == "conv_shortcut.weight");
    }

    [Fact]
    public void Backward_RandomLoss_ReachesEveryParameterAndTheEmbedding()
    {
        using var scope = NewDisposeScope();
        manual_seed(23);
        using var block = new ResBlock(8, 16, 32, groups: 4);
        var temb = randn(2, 32, requires_grad: true);

        (block.forward(randn(2, 8, 4, 4), temb) * randn(2, 16, 4, 4)).sum().backward();

        TensorAssert.GradientsFlow(block);
        Assert.True(temb.grad!.abs().max().item<float>() > 0);
    }

    [Fact]
    public void Constructor_GroupsNotDividingChannels_NamesValues()
    {
        var error = Assert.Throws<ArgumentException>(() => new ResBlock(12, 16, 0, groups: 8));

        Assert.Contains("in_channels (12)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_AfterMemoryIsDirtied_HasSaneParameters()
    {
        TensorAssert.DirtyMemory();

        using var block = new ResBlock(32, 64, 128);
        using var embedding = new TimestepEmbedding(32, 128);
        using var swiglu = new SwiGlu(32, 64);
        using var geglu = new GeGlu(32, 64);
        using var rms = Norms.RmsNorm(32);

        foreach (var module in new nn.Module[] { block, embedding, swiglu, geglu, rms })
        {
            TensorAssert.SaneParameters(module);
        }
    }
}
