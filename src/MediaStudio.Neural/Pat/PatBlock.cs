using MediaStudio.Neural.Layers;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Pat;

/// <summary>One PATNet block: a spatial mixer and an MLP with residual connections.</summary>
/// <remarks>
/// PConv and PAT_ch blocks use FasterNet's placement, x + DropPath(MLP(mixer(x))); PAT_sf blocks put a residual
/// around each part, x + mixer(x), then x + DropPath(MLP(x)) (papers-media.md, "Block").
/// </remarks>
public sealed class PatBlock : nn.Module<Tensor, Tensor>
{
    private readonly bool _splitShortcut;

    private readonly nn.Module<Tensor, Tensor> spatial_mixing;
    private readonly PatMlp mlp;
    private readonly DropPath drop_path;

    /// <summary>Creates the block.</summary>
    /// <param name="config">Network config (split, MLP ratio, activation, heads).</param>
    /// <param name="channels">Block width C.</param>
    /// <param name="mixer">Spatial mixer kind.</param>
    /// <param name="dropPath">Stochastic-depth probability of this block.</param>
    public PatBlock(PatNetConfig config, long channels, PatMixer mixer, double dropPath) : base(nameof(PatBlock))
    {
        ArgumentNullException.ThrowIfNull(config);
        _splitShortcut = mixer == PatMixer.SelfAttention;
        spatial_mixing = mixer switch
        {
            PatMixer.PartialConv => new PartialConv(channels, config.NDiv),
            PatMixer.ChannelAttention => new PatChannelAttention(channels, config.NDiv),
            PatMixer.SelfAttention => new PatSelfAttention(channels, config.NDiv, config.AttentionHeads, config.AttentionDropout),
            _ => throw new ArgumentOutOfRangeException(nameof(mixer), mixer, "unknown PAT mixer"),
        };
        mlp = new PatMlp(channels, (long)Math.Max(1, Math.Round(channels * config.MlpRatio)), config.Activation, config.SpatialAttention);
        drop_path = new DropPath(dropPath);
        RegisterComponents();
    }

    // (B, C, H, W) -> (B, C, H, W)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        if (_splitShortcut)
        {
            var mixed = x + spatial_mixing.forward(x);                                  // (B, C, H, W)
            return (mixed + drop_path.forward(mlp.forward(mixed))).MoveToOuterDisposeScope();
        }

        return (x + drop_path.forward(mlp.forward(spatial_mixing.forward(x)))).MoveToOuterDisposeScope();
    }
}
