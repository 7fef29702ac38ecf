// Architecture after huggingface/diffusers (Apache-2.0): src/diffusers/models/unets/unet_2d_blocks.py, DownEncoderBlock2D.
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>One encoder stage: ResBlocks without a timestep input, then an optional downsampler (keys resnets.N, downsamplers.0).</summary>
public sealed class DownEncoderBlock2D : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ResBlock> resnets;
    private readonly ModuleList<Downsample2D> downsamplers;

    /// <summary>Creates the stage.</summary>
    /// <param name="inChannels">Width in.</param>
    /// <param name="outChannels">Width out.</param>
    /// <param name="layers">ResBlocks.</param>
    /// <param name="groups">GroupNorm groups.</param>
    /// <param name="downsample">Whether the stage halves the resolution at its end.</param>
    public DownEncoderBlock2D(long inChannels, long outChannels, int layers, int groups, bool downsample)
        : base(nameof(DownEncoderBlock2D))
    {
        resnets = new ModuleList<ResBlock>();
        for (var i = 0; i < layers; i++)
        {
            resnets.Add(new ResBlock(i == 0 ? inChannels : outChannels, outChannels, 0, groups));
        }

        downsamplers = downsample ? new ModuleList<Downsample2D>(new Downsample2D(outChannels)) : new ModuleList<Downsample2D>();
        RegisterComponents();
    }

    // (B, Cin, H, W) -> (B, Cout, H/2, W/2) with a downsampler, else (B, Cout, H, W)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var resnet in resnets)
        {
            h = resnet.forward(h, null);      // (B, Cout, H, W)
        }

        foreach (var down in downsamplers)
        {
            h = down.forward(h);              // (B, Cout, H/2, W/2)
        }

        return h.MoveToOuterDisposeScope();
    }
}
