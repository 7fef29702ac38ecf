using MediaStudio.Diffusion.Clip;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Clip;

[Collection(NativeTestGroup.Name)]
public sealed class ClipTextEncoderTests
{
    private static ClipModel Tiny()
    {
        random.manual_seed(3);
        var model = ClipModel.FromConfig(ClipConfig.Tiny(), generator: new Generator(3));
        model.eval();
        return model;
    }

    [Fact]
    public void Forward_LaterTokenChanged_EarlierStatesUnchanged()
    {
        using var model = Tiny();
        using var ids = tensor(new long[] { 1, 7, 8, 9, 10, 2, 0, 0, 0, 0, 0, 0 }, [1, 12]);
        using var changed = ids.clone();
        changed[0, 4] = tensor(20L);
        using var guard = no_grad();

        using var a = model.TextModel.forward(ids);
        using var b = model.TextModel.forward(changed);

        Assert.True(a.LastHiddenState[.., ..4].allclose(b.LastHiddenState[.., ..4], rtol: 0, atol: 1e-6));
        Assert.False(a.LastHiddenState[.., 4].allclose(b.LastHiddenState[.., 4], rtol: 0, atol: 1e-4));
    }

    [Fact]
    public void Forward_Pooled_IsTheStateAtEachRowsEos()
    {
        using var model = Tiny();
        using var ids = tensor(new long[] { 1, 7, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 7, 8, 9, 10, 11, 12, 2, 0, 0, 0, 0 }, [2, 12]);
        using var guard = no_grad();

        using var output = model.TextModel.forward(ids);

        Assert.Equal([2L, 12, 16], output.LastHiddenState.shape);
        Assert.True(output.Pooled[0].equal(output.LastHiddenState[0, 2]).all().item<bool>());
        Assert.True(output.Pooled[1].equal(output.LastHiddenState[1, 7]).all().item<bool>());
    }

    [Fact]
    public void Forward_SameSeed_SameStates()
    {
        using var a = Tiny();
        using var b = Tiny();
        using var ids = tensor(new long[] { 1, 5, 6, 2, 0, 0, 0, 0, 0, 0, 0, 0 }, [1, 12]);
        using var guard = no_grad();

        using var x = a.TextModel.forward(ids);
        using var y = b.TextModel.forward(ids);

        Assert.True(x.LastHiddenState.equal(y.LastHiddenState).all().item<bool>());
    }
}
