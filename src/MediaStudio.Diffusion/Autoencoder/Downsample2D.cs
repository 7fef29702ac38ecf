// Architecture after huggingface/diffusers (Apache-2.0): src/diffusers/models/downsampling.py, Downsample2D with
// use_conv and padding 0 (the VAE's asymmetric pad, then a stride-2 3x3 conv).
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>Halves the resolution: zero-pad right and bottom by one, then a 3x3 conv with stride 2 (key conv).</summary>
public sealed class Downsample2D : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;

    /// <summary>Creates the block.</summary>
    /// <param name="channels">Width in and out.</param>
    public Downsample2D(long channels)
        : base(nameof(Downsample2D))
    {
        conv = nn.Conv2d(channels, channels, kernel_size: 3, stride: 2L, padding: 0L);
        RegisterComponents();
    }

    // (B, C, H, W) -> (B, C, H/2, W/2)
    public override Tensor forward(Tensor x)
    {
        using var padded = nn.functional.pad(x, [0, 1, 0, 1]); // (B, C, H+1, W+1)
        return conv.forward(padded);
    }
}
