using MediaStudio.Diffusion.UNet;
using MediaStudio.Neural.Attention;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.UNet;

[Collection(NativeTestGroup.Name)]
public sealed class UNetAttentionTests
{
    [Fact]
    public void Forward_MswaWindowsCoveringTheMap_EqualsFullAttention()
    {
        manual_seed(21);
        using var full = new UNetAttention(32, null, 4, []);
        using var mswa = new UNetAttention(32, null, 4, [6, 50]);
        mswa.load_state_dict(full.state_dict());
        using var scope = NewDisposeScope();
        var x = randn(2, 6 * 5, 32);                          // (B, h·w, C), h = 6, w = 5

        Assert.True(allclose(full.forward(x, null, 6), mswa.forward(x, null, 6), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Forward_MswaSmallWindows_MatchesDenseMaskReference()
    {
        manual_seed(22);
        int[] windows = [1, 2, 3, 9];
        using var mswa = new UNetAttention(32, null, 4, windows);
        using var scope = NewDisposeScope();
        var (h, w) = (9, 7);
        var x = randn(2, h * w, 32);                          // (B, T, C)

        var y = mswa.forward(x, null, h);

        var weights = mswa.state_dict();
        Tensor Heads(Tensor t) => t.view(2, h * w, 4, 8).transpose(1, 2); // (B, H, T, d)
        var q = Heads(matmul(x, weights["to_q.weight"].t()));
        var k = Heads(matmul(x, weights["to_k.weight"].t()));
        var v = Heads(matmul(x, weights["to_v.weight"].t()));
        var mask = stack(windows.Select(win => WindowedAttention.DenseMask2D(h, w, win))).unsqueeze(0); // (1, H, T, T)
        var reference = ScaledDotProduct.Eager(q, k, v, mask: mask).transpose(1, 2).reshape(2, h * w, 32);
        reference = matmul(reference, weights["to_out.0.weight"].t()) + weights["to_out.0.bias"];
        Assert.True(allclose(y, reference, rtol: 1e-4, atol: 1e-5), $"max diff {(y - reference).abs().max().item<float>()}");
    }

    [Fact]
    public void Forward_SmallWindow_DiffersFromFullAttention()
    {
        manual_seed(23);
        using var full = new UNetAttention(32, null, 2, []);
        using var mswa = new UNetAttention(32, null, 2, [2, 2]);
        mswa.load_state_dict(full.state_dict());
        using var scope = NewDisposeScope();
        var x = randn(1, 8 * 8, 32);

        Assert.False(allclose(full.forward(x, null, 8), mswa.forward(x, null, 8), rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void Forward_CrossAttention_UsesContextTokens()
    {
        manual_seed(24);
        using var cross = new UNetAttention(32, 16, 4, []);
        using var scope = NewDisposeScope();
        var x = randn(2, 12, 32);
        var context = randn(2, 5, 16);

        var y = cross.forward(x, context, 3);

        Assert.Equal([2L, 12, 32], y.shape);
        Assert.False(allclose(y, cross.forward(x, randn(2, 5, 16), 3)));
    }
}
