using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>One decoder level (diffusers' <c>CrossAttnUpBlock2D</c>, or <c>UpBlock2D</c> without attention): each resnet takes a skip state concatenated on channels.</summary>
/// <remarks>Keys resnets.N, attentions.N, upsamplers.0.conv. Skips are consumed last first, mirroring the encoder.</remarks>
public sealed class UNetUpBlock : nn.Module<Tensor, Tensor, Tensor, IReadOnlyList<Tensor>, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor?, Tensor>> resnets;
    private readonly ModuleList<Transformer2DModel> attentions;
    private readonly ModuleList<Upsample2D> upsamplers;

    /// <summary>Creates the level.</summary>
    /// <param name="config">UNet config.</param>
    /// <param name="prevOutputChannels">Channels coming from the level below.</param>
    /// <param name="outChannels">Width of the level.</param>
    /// <param name="skipChannels">Channels of each skip state, in consumption order (layers_per_block + 1).</param>
    /// <param name="kind">Self-attention kind of the level.</param>
    /// <param name="upsample">Double the resolution at the end (all levels but the last).</param>
    public UNetUpBlock(UNetConfig config, long prevOutputChannels, long outChannels, IReadOnlyList<long> skipChannels, string kind, bool upsample) : base(nameof(UNetUpBlock))
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(skipChannels);
        resnets = nn.ModuleList([.. skipChannels.Select((skip, i) => UNetBlocks.ResBlock(config, (i == 0 ? prevOutputChannels : outChannels) + skip, outChannels))]);
        attentions = nn.ModuleList(kind == UNetConfig.None ? [] : skipChannels.Select(_ => UNetBlocks.Transformer(config, outChannels, kind)).ToArray());
        upsamplers = nn.ModuleList(upsample ? [new Upsample2D(outChannels)] : Array.Empty<Upsample2D>());
        RegisterComponents();
    }

    /// <summary>Skip states this level consumes.</summary>
    public int SkipCount => resnets.Count;

    // (B, Cprev, h, w), (B, Temb), (B, S, Dc), SkipCount skips (last consumed first) -> (B, C, h', w')
    public override Tensor forward(Tensor x, Tensor temb, Tensor context, IReadOnlyList<Tensor> skips)
    {
        using var scope = NewDisposeScope();
        for (var i = 0; i < resnets.Count; i++)
        {
            x = cat([x, skips[skips.Count - 1 - i]], 1);                // (B, C + Cskip, h, w)
            x = resnets[i].forward(x, temb);                            // (B, C, h, w)
            x = attentions.Count > 0 ? attentions[i].forward(x, context) : x;
        }

        x = upsamplers.Count > 0 ? upsamplers[0].forward(x) : x;        // (B, C, 2h, 2w)
        return x.MoveToOuterDisposeScope();
    }
}
