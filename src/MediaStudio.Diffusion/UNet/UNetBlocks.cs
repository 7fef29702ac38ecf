using MediaStudio.Neural.Layers;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>Builds the pieces every UNet block shares from the config.</summary>
internal static class UNetBlocks
{
    /// <summary>A plain (<see cref="ResBlock"/>) or PAT (<see cref="PatResBlock"/>) residual block.</summary>
    public static nn.Module<Tensor, Tensor?, Tensor> ResBlock(UNetConfig config, long inChannels, long outChannels) => config.PatResBlocks
        ? new PatResBlock(inChannels, outChannels, config.TimeEmbedDim, config.NormNumGroups, config.PatNDiv, config.Dropout, config.NormEps)
        : new ResBlock(inChannels, outChannels, config.TimeEmbedDim, config.NormNumGroups, config.Dropout, config.NormEps);

    /// <summary>The transformer of a level whose attention kind is not "none".</summary>
    public static Transformer2DModel Transformer(UNetConfig config, long channels, string kind) => new(
        channels,
        config.CrossAttentionDim,
        config.NumAttentionHeads,
        config.TransformerLayersPerBlock,
        config.NormNumGroups,
        kind == UNetConfig.Mswa ? config.MswaWindows : [],
        config.PositionEmbedding == UNetConfig.SinCosPositionEmbedding);
}
