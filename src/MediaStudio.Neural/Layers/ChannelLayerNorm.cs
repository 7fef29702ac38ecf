using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Layers;

/// <summary>LayerNorm over the channel dimension of an NCHW map (timm's LayerNorm2d): each pixel is normalised across C.</summary>
public sealed class ChannelLayerNorm : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm;

    /// <summary>Creates the norm.</summary>
    /// <param name="channels">Channel count C.</param>
    /// <param name="eps">Added to the variance.</param>
    public ChannelLayerNorm(long channels, double eps = 1e-6) : base(nameof(ChannelLayerNorm))
    {
        norm = Norms.LayerNorm(channels, eps);
        RegisterComponents();
    }

    // (B, C, H, W) -> (B, C, H, W)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = norm.forward(x.permute(0, 2, 3, 1)); // (B, H, W, C)
        return y.permute(0, 3, 1, 2).contiguous().MoveToOuterDisposeScope();
    }
}
