using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>Halves the resolution with a stride-2 3x3 conv (diffusers' <c>Downsample2D</c>, key <c>conv</c>).</summary>
public sealed class Downsample2D : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;

    /// <summary>Creates the layer.</summary>
    /// <param name="channels">Channels in and out.</param>
    public Downsample2D(long channels) : base(nameof(Downsample2D))
    {
        conv = nn.Conv2d(channels, channels, 3, stride: 2, padding: 1);
        RegisterComponents();
    }

    // (B, C, h, w) -> (B, C, h/2, w/2)
    public override Tensor forward(Tensor x) => conv.forward(x);
}
