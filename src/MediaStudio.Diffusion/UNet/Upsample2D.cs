using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>Doubles the resolution: nearest-neighbour upsampling then a 3x3 conv (diffusers' <c>Upsample2D</c>, key <c>conv</c>).</summary>
public sealed class Upsample2D : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;

    /// <summary>Creates the layer.</summary>
    /// <param name="channels">Channels in and out.</param>
    public Upsample2D(long channels) : base(nameof(Upsample2D))
    {
        conv = nn.Conv2d(channels, channels, 3, padding: 1);
        RegisterComponents();
    }

    // (B, C, h, w) -> (B, C, 2h, 2w)
    public override Tensor forward(Tensor x)
    {
        using var up = nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest); // (B, C, 2h, 2w)
        return conv.forward(up);
    }
}
