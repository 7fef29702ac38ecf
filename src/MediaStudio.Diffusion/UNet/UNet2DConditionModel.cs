using System.Text.RegularExpressions;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>The Stable Diffusion UNet with cross-attention to text tokens (diffusers' <c>UNet2DConditionModel</c>), scaled by <see cref="UNetConfig"/>.</summary>
/// <remarks>
/// Notation: B batch, C latent channels, h×w latent grid, S context tokens, Dc context width, Temb = 4·C₀.
/// temb = MLP(sinusoid(t)), plus the pooled prompt with addition_embed_type "text"; x = conv_in(sample); encoder levels push every intermediate state as a skip; mid block;
/// decoder levels pop layers_per_block + 1 skips each, concatenated on channels; out = conv_out(SiLU(conv_norm_out(x))).
/// Checkpoint keys follow diffusers (conv_in, time_embedding.linear_1, down_blocks.0.resnets.0.conv1,
/// down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q, mid_block, up_blocks, conv_norm_out, conv_out);
/// the sinusoid has no weights, so there is no time_proj key.
/// </remarks>
public sealed partial class UNet2DConditionModel : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Conv2d conv_in;
    private readonly TimestepEmbedding time_embedding;
    private readonly TextTimeEmbedding? add_embedding;
    private readonly ModuleList<UNetDownBlock> down_blocks;
    private readonly UNetMidBlock mid_block;
    private readonly ModuleList<UNetUpBlock> up_blocks;
    private readonly GroupNorm conv_norm_out;
    private readonly Conv2d conv_out;

    /// <summary>Builds an untrained model; with <c>zero_init_residuals</c> each residual branch's last layer starts at zero.</summary>
    /// <param name="config">The config; validated here.</param>
    public UNet2DConditionModel(UNetConfig config) : base(nameof(UNet2DConditionModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        var widths = config.BlockOutChannels;
        var levels = widths.Count;
        conv_in = nn.Conv2d(config.InChannels, widths[0], 3, padding: 1);
        time_embedding = new TimestepEmbedding(widths[0], config.TimeEmbedDim, config.FlipSinToCos, config.FreqShift);
        add_embedding = config.AdditionEmbedType == UNetConfig.TextAddition
            ? new TextTimeEmbedding(config.CrossAttentionDim, config.TimeEmbedDim, config.AdditionEmbedTypeNumHeads)
            : null;
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
            var i = levels - 1 - j;                                        // level index, deepest first
            var levelSkips = Enumerable.Range(0, config.LayersPerBlock + 1).Select(_ => skips.Pop()).ToArray();
            up.Add(new UNetUpBlock(config, j == 0 ? widths[^1] : widths[i + 1], widths[i], levelSkips, config.Attention[i], i > 0));
        }

        up_blocks = nn.ModuleList([.. up]);
        conv_norm_out = Norms.GroupNorm(config.NormNumGroups, widths[0], config.NormEps);
        conv_out = nn.Conv2d(widths[0], config.OutChannels, 3, padding: 1);
        RegisterComponents();
        if (config.ZeroInitResiduals)
        {
            ZeroResidualBranches();
        }
    }

    /// <summary>The config the model was built from.</summary>
    public UNetConfig Config { get; }

    /// <summary>Loads a model folder (config.json, model.safetensors, SHA256SUMS) strictly, in eval mode.</summary>
    /// <param name="folder">Model folder, e.g. models/unet.</param>
    /// <param name="device">Target device; CPU when null.</param>
    public static UNet2DConditionModel FromPretrained(string folder, Device? device = null) =>
        ModelFolder.FromPretrained<UNet2DConditionModel, UNetConfig>(folder, config => new UNet2DConditionModel(config), device);

    /// <summary>Loads the weights of a folder trained without a position embedding into this model, which has one, with
    /// every gain at zero: the grown model computes what the folder's did and learns the positions from there.</summary>
    /// <param name="folder">Model folder whose config has position_embedding "none" and otherwise this model's shapes.</param>
    public void LoadGrownWithPositionEmbedding(string folder)
    {
        if (Config.PositionEmbedding == UNetConfig.NoPositionEmbedding)
        {
            throw new InvalidOperationException("this model has no position embedding to grow");
        }

        ModelFolder.LoadWeights(folder, this, key => key.EndsWith(PositionGainSuffix, StringComparison.Ordinal));
        using var guard = no_grad();
        foreach (var (_, gain) in named_parameters().Where(p => p.name.EndsWith(PositionGainSuffix, StringComparison.Ordinal)))
        {
            gain.zero_();
        }
    }

    private const string PositionGainSuffix = ".pos_embed_gain";

    /// <summary>Channels of the feature map at every <see cref="IFrameMixer"/> insertion point, in point order.</summary>
    public static IReadOnlyList<int> PointChannels(UNetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var widths = config.BlockOutChannels;
        return [.. widths, widths[^1], .. widths.Reverse()];
    }

    // (B, C, h, w), (B) or scalar timesteps, (B, S, Dc) -> (B, Cout, h, w)
    public override Tensor forward(Tensor sample, Tensor timesteps, Tensor context) => ForwardMixed(sample, timesteps, context, null);

    /// <summary>The forward with an optional frame mixer at every insertion point (the video editor inflates motion
    /// modules into the image UNet this way); without one it is <see cref="forward"/>.</summary>
    /// <remarks>Insertion points: after each down level (its last state, which is also the skip the decoder reads),
    /// after the mid block, after each up level; 2L + 1 points for L levels.</remarks>
    public Tensor ForwardMixed(Tensor sample, Tensor timesteps, Tensor context, IFrameMixer? mixer)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(timesteps);
        using var scope = NewDisposeScope();
        var b = sample.shape[0];
        var t = (timesteps.dim() == 0 ? timesteps.expand(b) : timesteps).to(sample.device); // (B)
        var temb = time_embedding.forward(t);                                  // (B, Temb)
        if (add_embedding is not null)
        {
            temb = temb + add_embedding.forward(context.to(temb.dtype));       // (B, Temb)
        }

        var x = conv_in.forward(sample);                                       // (B, C0, h, w)
        var skips = new List<Tensor> { x };
        var point = 0;
        foreach (var block in down_blocks)
        {
            skips.AddRange(block.forward(x, temb, context));
            skips[^1] = Mix(skips[^1], point++);
            x = skips[^1];                                                     // (B, Ci, h/2^i, w/2^i)
        }

        x = Mix(mid_block.forward(x, temb, context), point++);                 // (B, Cn, h', w')
        foreach (var block in up_blocks)
        {
            var count = block.SkipCount;
            x = block.forward(x, temb, context, skips.GetRange(skips.Count - count, count));
            skips.RemoveRange(skips.Count - count, count);
            x = Mix(x, point++);
        }

        x = conv_out.forward(nn.functional.silu(conv_norm_out.forward(x)));   // (B, Cout, h, w)
        return x.MoveToOuterDisposeScope();

        Tensor Mix(Tensor features, int at) => mixer is null ? features : mixer.Mix(features, at);
    }

    [GeneratedRegex(@"(resnets\.\d+\.conv2|\.proj_out)\.(weight|bias)$")]
    private static partial Regex ResidualOutput();

    private void ZeroResidualBranches()
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
