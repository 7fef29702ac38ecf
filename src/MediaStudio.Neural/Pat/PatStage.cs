using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Pat;

/// <summary>One PATNet stage: optional patch merging (k = s = merge size, C/2 -> C) then its blocks.</summary>
public sealed class PatStage : nn.Module<Tensor, Tensor>
{
    private readonly Sequential? downsample;
    private readonly ModuleList<PatBlock> blocks;

    /// <summary>Creates the stage.</summary>
    /// <param name="config">Network config.</param>
    /// <param name="stage">Zero-based stage index; stages after the first start with a patch merging.</param>
    /// <param name="dropPaths">Stochastic-depth probability of each block, one per block.</param>
    public PatStage(PatNetConfig config, int stage, IReadOnlyList<double> dropPaths) : base(nameof(PatStage))
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(dropPaths);
        var channels = config.StageWidth(stage);
        var isLast = stage == config.StageCount - 1;
        var mixer = (isLast, config.SelfAttention, config.ChannelAttention) switch
        {
            (true, true, _) => PatMixer.SelfAttention,
            (false, _, true) => PatMixer.ChannelAttention,
            _ => PatMixer.PartialConv,
        };
        if (stage > 0)
        {
            downsample = nn.Sequential(
                nn.Conv2d(channels / 2, channels, config.MergeSize, stride: config.MergeSize, bias: false),
                nn.BatchNorm2d(channels));
        }

        blocks = new ModuleList<PatBlock>();
        foreach (var p in dropPaths)
        {
            blocks.Add(new PatBlock(config, channels, mixer, p));
        }

        RegisterComponents();
    }

    // (B, C/2, 2H, 2W) -> (B, C, H, W), or (B, C, H, W) -> (B, C, H, W) for the first stage
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = downsample is null ? x : downsample.forward(x); // (B, C, H, W)
        foreach (var block in blocks)
        {
            h = block.forward(h);
        }

        return h.MoveToOuterDisposeScope();
    }
}
