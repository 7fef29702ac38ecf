// Architecture after huggingface/diffusers (Apache-2.0): src/diffusers/models/upsampling.py, Upsample2D with use_conv
// (nearest-neighbour x2, then a 3x3 conv).
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>Doubles the resolution: nearest-neighbour upsampling, then a 3x3 conv (key conv).</summary>
public sealed class Upsample2D : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;

    /// <summary>Creates the block.</summary>
    /// <param name="channels">Width in and out.</param>
    public Upsample2D(long channels)
        : base(nameof(Upsample2D))
    {
        conv = nn.Conv2d(channels, channels, 3, padding: 1);
        RegisterComponents();
    }

    // (B, C, H, W) -> (B, C, 2H, 2W)
    public override Tensor forward(Tensor x)
    {
        using var up = nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest); // (B, C, 2H, 2W)
        return conv.forward(up);
    }
}
