using System.Text.RegularExpressions;
using MediaStudio.Diffusion.UNet;
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Editor;

/// <summary>
/// The SD-family UNet of <see cref="UNet2DConditionModel"/>, built from the same blocks and checkpoint keys, with
/// <see cref="IFrameMixer"/> insertion points between the levels so motion modules can be inflated into it.
/// </summary>
/// <remarks>
/// Notation as <see cref="UNet2DConditionModel"/>. Insertion points: after each down level (its last state, which is
/// also the skip the decoder reads), after the mid block, after each up level; 2L + 1 points for L levels. Without a
/// mixer the forward is exactly the image UNet's.
/// </remarks>
public sealed partial class EditorUNet : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Conv2d conv_in;
    private readonly TimestepEmbedding time_embedding;
    private readonly ModuleList<UNetDownBlock> down_blocks;
    private readonly UNetMidBlock mid_block;
    private readonly ModuleList<UNetUpBlock> up_blocks;
    private readonly GroupNorm conv_norm_out;
    private readonly Conv2d conv_out;

    /// <summary>Builds an untrained UNet.</summary>
    public EditorUNet(UNetConfig config) : base(nameof(EditorUNet))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        var widths = config.BlockOutChannels;
        var levels = widths.Count;
        conv_in = nn.Conv2d(config.InChannels, widths[0], 3, padding: 1);
        time_embedding = new TimestepEmbedding(widths[0], config.TimeEmbedDim, config.FlipSinToCos, config.FreqShift);
        var skips = new Stack<long>([widths[0]]);
        var down = new List<UNetDownBlock>();
        for (var i = 0; i < levels; i++)
        {
            down.Add(new UNetDownBlock(config, i == 0 ? widths[0] : widths[i - 1], widths[i], config.Attention[i], i < levels - 1));
            for (var j = 0; j < config.LayersPerBlock + (i < levels - 1 ? 1 : 0); j++)
            {
                skips.Push(widths[i]);
            }
        }

        down_blocks = nn.ModuleList([.. down]);
        mid_block = new UNetMidBlock(config, widths[^1]);
        var up = new List<UNetUpBlock>();
        for (var j = 0; j < levels; j++)
        {
            var i = levels - 1 - j;
            var levelSkips = Enumerable.Range(0, config.LayersPerBlock + 1).Select(_ => skips.Pop()).ToArray();
            up.Add(new UNetUpBlock(config, j == 0 ? widths[^1] : widths[i + 1], widths[i], levelSkips, config.Attention[i], i > 0));
        }

        up_blocks = nn.ModuleList([.. up]);
        conv_norm_out = Norms.GroupNorm(config.NormNumGroups, widths[0], config.NormEps);
        conv_out = nn.Conv2d(widths[0], config.OutChannels, 3, padding: 1);
        RegisterComponents();
        if (config.ZeroInitResiduals)
        {
            using var guard = no_grad();
            foreach (var (name, parameter) in named_parameters())
            {
                if (ResidualOutput().IsMatch(name))
                {
                    parameter.zero_();
                }
            }
        }
    }

    /// <summary>Gets the config.</summary>
    public UNetConfig Config { get; }

    /// <summary>Channels of the feature map at every insertion point, in point order.</summary>
    public static IReadOnlyList<int> PointChannels(UNetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var widths = config.BlockOutChannels;
        return [.. widths, widths[^1], .. widths.Reverse()];
    }

    // (B, Cin, h, w), (B) timesteps, (B, S, Dc) -> (B, Cout, h, w)
    public override Tensor forward(Tensor sample, Tensor timesteps, Tensor context) => ForwardMixed(sample, timesteps, context, null);

    /// <summary>The forward with an optional frame mixer at every insertion point.</summary>
    public Tensor ForwardMixed(Tensor sample, Tensor timesteps, Tensor context, IFrameMixer? mixer)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(timesteps);
        using var scope = NewDisposeScope();
        var b = sample.shape[0];
        var t = (timesteps.dim() == 0 ? timesteps.expand(b) : timesteps).to(sample.device); // (B)
        var temb = time_embedding.forward(t);                                  // (B, Temb)
        var x = conv_in.forward(sample);                                       // (B, C0, h, w)
        var skips = new List<Tensor> { x };
        var point = 0;
        foreach (var block in down_blocks)
        {
            skips.AddRange(block.forward(x, temb, context));
            if (mixer is not null)
            {
                skips[^1] = mixer.Mix(skips[^1], point);
            }

            point++;
            x = skips[^1];                                                     // (B, Ci, h/2^i, w/2^i)
        }

        x = mid_block.forward(x, temb, context);                               // (B, Cn, h', w')
        x = mixer is null ? x : mixer.Mix(x, point);
        point++;
        foreach (var block in up_blocks)
        {
            var count = block.SkipCount;
            x = block.forward(x, temb, context, skips.GetRange(skips.Count - count, count));
            skips.RemoveRange(skips.Count - count, count);
            x = mixer is null ? x : mixer.Mix(x, point);
            point++;
        }

        x = conv_out.forward(nn.functional.silu(conv_norm_out.forward(x)));   // (B, Cout, h, w)
        return x.MoveToOuterDisposeScope();
    }

    [GeneratedRegex(@"(resnets\.\d+\.conv2|\.proj_out)\.(weight|bias)$")]
    private static partial Regex ResidualOutput();
}
