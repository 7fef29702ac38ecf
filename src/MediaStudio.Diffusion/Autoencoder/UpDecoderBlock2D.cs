// Architecture after huggingface/diffusers (Apache-2.0): src/diffusers/models/unets/unet_2d_blocks.py, UpDecoderBlock2D.
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>One decoder stage: ResBlocks without a timestep input, then an optional upsampler (keys resnets.N, upsamplers.0).</summary>
public sealed class UpDecoderBlock2D : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ResBlock> resnets;
    private readonly ModuleList<Upsample2D> upsamplers;

    /// <summary>Creates the stage.</summary>
    /// <param name="inChannels">Width in.</param>
    /// <param name="outChannels">Width out.</param>
    /// <param name="layers">ResBlocks (the encoder's layers per block plus one).</param>
    /// <param name="groups">GroupNorm groups.</param>
    /// <param name="upsample">Whether the stage doubles the resolution at its end.</param>
    public UpDecoderBlock2D(long inChannels, long outChannels, int layers, int groups, bool upsample)
        : base(nameof(UpDecoderBlock2D))
    {
        resnets = new ModuleList<ResBlock>();
        for (var i = 0; i < layers; i++)
        {
            resnets.Add(new ResBlock(i == 0 ? inChannels : outChannels, outChannels, 0, groups));
        }

        upsamplers = upsample ? new ModuleList<Upsample2D>(new Upsample2D(outChannels)) : new ModuleList<Upsample2D>();
        RegisterComponents();
    }

    // (B, Cin, H, W) -> (B, Cout, 2H, 2W) with an upsampler, else (B, Cout, H, W)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var resnet in resnets)
        {
            h = resnet.forward(h, null);      // (B, Cout, H, W)
        }

        foreach (var up in upsamplers)
        {
            h = up.forward(h);                // (B, Cout, 2H, 2W)
        }

        return h.MoveToOuterDisposeScope();
    }
}
