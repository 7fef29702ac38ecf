using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>One encoder level (diffusers' <c>CrossAttnDownBlock2D</c>, or <c>DownBlock2D</c> when the level has no attention).</summary>
/// <remarks>Keys resnets.N, attentions.N, downsamplers.0.conv. Every resnet/transformer pair's output and the downsampled map are skip states.</remarks>
public sealed class UNetDownBlock : nn.Module<Tensor, Tensor, Tensor, Tensor[]>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor?, Tensor>> resnets;
    private readonly ModuleList<Transformer2DModel> attentions;
    private readonly ModuleList<Downsample2D> downsamplers;

    /// <summary>Creates the level.</summary>
    /// <param name="config">UNet config.</param>
    /// <param name="inChannels">Channels coming in.</param>
    /// <param name="outChannels">Width of the level.</param>
    /// <param name="kind">Self-attention kind of the level.</param>
    /// <param name="downsample">Halve the resolution at the end (all levels but the last).</param>
    public UNetDownBlock(UNetConfig config, long inChannels, long outChannels, string kind, bool downsample) : base(nameof(UNetDownBlock))
    {
        ArgumentNullException.ThrowIfNull(config);
        resnets = nn.ModuleList([.. Enumerable.Range(0, config.LayersPerBlock).Select(i => UNetBlocks.ResBlock(config, i == 0 ? inChannels : outChannels, outChannels))]);
        attentions = nn.ModuleList(kind == UNetConfig.None ? [] : Enumerable.Range(0, config.LayersPerBlock).Select(_ => UNetBlocks.Transformer(config, outChannels, kind)).ToArray());
        downsamplers = nn.ModuleList(downsample ? [new Downsample2D(outChannels)] : Array.Empty<Downsample2D>());
        RegisterComponents();
    }

    /// <summary>Skip states this level produces.</summary>
    public int StateCount => resnets.Count + downsamplers.Count;

    // (B, Cin, h, w), (B, Temb), (B, S, Dc) -> skip states, the last is the output (B, C, h', w')
    public override Tensor[] forward(Tensor x, Tensor temb, Tensor context)
    {
        using var scope = NewDisposeScope();
        var states = new List<Tensor>();
        for (var i = 0; i < resnets.Count; i++)
        {
            x = resnets[i].forward(x, temb);                           // (B, C, h, w)
            x = attentions.Count > 0 ? attentions[i].forward(x, context) : x;
            states.Add(x);
        }

        if (downsamplers.Count > 0)
        {
            states.Add(downsamplers[0].forward(x));                    // (B, C, h/2, w/2)
        }

        return [.. states.Select(s => s.MoveToOuterDisposeScope())];
    }
}
