// Architecture after huggingface/diffusers (Apache-2.0): src/diffusers/models/unets/unet_2d_blocks.py, UNetMidBlock2D
// with temb_channels None (resnet, attention, resnet).
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>The VAE's mid block: ResBlock, self-attention, ResBlock at the lowest resolution (keys resnets.N, attentions.0).</summary>
public sealed class VaeMidBlock : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ResBlock> resnets;
    private readonly ModuleList<VaeAttention> attentions;

    /// <summary>Creates the block.</summary>
    /// <param name="channels">Width in and out.</param>
    /// <param name="groups">GroupNorm groups.</param>
    /// <param name="addAttention">Whether the attention sits between the two ResBlocks.</param>
    public VaeMidBlock(long channels, int groups, bool addAttention)
        : base(nameof(VaeMidBlock))
    {
        resnets = new ModuleList<ResBlock>(new ResBlock(channels, channels, 0, groups), new ResBlock(channels, channels, 0, groups));
        attentions = addAttention ? new ModuleList<VaeAttention>(new VaeAttention(channels, groups)) : new ModuleList<VaeAttention>();
        RegisterComponents();
    }

    // (B, C, h, w) -> (B, C, h, w)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = resnets[0].forward(x, null);  // (B, C, h, w)
        if (attentions.Count > 0)
        {
            h = attentions[0].forward(h);     // (B, C, h, w)
        }

        return resnets[1].forward(h, null).MoveToOuterDisposeScope();
    }
}
