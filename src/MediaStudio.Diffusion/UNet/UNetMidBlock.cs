using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>The bottleneck (diffusers' <c>UNetMidBlock2DCrossAttn</c>): resnet, transformer, resnet. Keys resnets.0, attentions.0, resnets.1.</summary>
public sealed class UNetMidBlock : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor?, Tensor>> resnets;
    private readonly ModuleList<Transformer2DModel> attentions;

    /// <summary>Creates the block.</summary>
    /// <param name="config">UNet config (its mid_block_attention picks the kind; "none" leaves two resnets).</param>
    /// <param name="channels">Width of the deepest level.</param>
    public UNetMidBlock(UNetConfig config, long channels) : base(nameof(UNetMidBlock))
    {
        ArgumentNullException.ThrowIfNull(config);
        resnets = nn.ModuleList(UNetBlocks.ResBlock(config, channels, channels), UNetBlocks.ResBlock(config, channels, channels));
        attentions = nn.ModuleList(config.MidBlockAttention == UNetConfig.None ? [] : new[] { UNetBlocks.Transformer(config, channels, config.MidBlockAttention) });
        RegisterComponents();
    }

    // (B, C, h, w), (B, Temb), (B, S, Dc) -> (B, C, h, w)
    public override Tensor forward(Tensor x, Tensor temb, Tensor context)
    {
        using var scope = NewDisposeScope();
        x = resnets[0].forward(x, temb);
        x = attentions.Count > 0 ? attentions[0].forward(x, context) : x;
        return resnets[1].forward(x, temb).MoveToOuterDisposeScope();
    }
}
