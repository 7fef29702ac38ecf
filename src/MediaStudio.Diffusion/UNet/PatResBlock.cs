using MediaStudio.Neural.Layers;
using MediaStudio.Neural.Pat;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>A ResBlock whose 3x3 convs are PATNet/FasterNet partial convs followed by pointwise convs (the UNet's <c>pat_resblocks</c> option).</summary>
/// <remarks>
/// Same contract and norms as <see cref="ResBlock"/>: h = conv1(pconv1(SiLU(norm1(x)))) + time_emb_proj(SiLU(temb));
/// h = conv2(pconv2(dropout(SiLU(norm2(h))))); y = shortcut(x) + h. pconv is <see cref="PartialConv"/> (a 3x3 conv on
/// C / n_div channels, the rest untouched) and conv1/conv2 are 1x1, so the block costs about (2·9/n_div² + 2)·C² MACs
/// per pixel instead of 18·C² (FasterNet's PConv + PWConv, papers-media.md, PATNet).
/// </remarks>
public sealed class PatResBlock : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly GroupNorm norm1;
    private readonly PartialConv partial_conv1;
    private readonly Conv2d conv1;
    private readonly Linear time_emb_proj;
    private readonly GroupNorm norm2;
    private readonly Dropout dropout;
    private readonly PartialConv partial_conv2;
    private readonly Conv2d conv2;
    private readonly Conv2d? conv_shortcut;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="tembChannels">Width of the timestep embedding.</param>
    /// <param name="groups">GroupNorm groups.</param>
    /// <param name="nDiv">Partial-conv split divisor.</param>
    /// <param name="dropout">Dropout before the second partial conv.</param>
    /// <param name="eps">GroupNorm eps.</param>
    public PatResBlock(long inChannels, long outChannels, long tembChannels, int groups, int nDiv, double dropout, double eps)
        : base(nameof(PatResBlock))
    {
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"groups ({groups}) must divide in_channels ({inChannels}) and out_channels ({outChannels})", nameof(groups));
        }

        norm1 = Norms.GroupNorm(groups, inChannels, eps);
        partial_conv1 = new PartialConv(inChannels, nDiv);
        conv1 = nn.Conv2d(inChannels, outChannels, 1);
        time_emb_proj = nn.Linear(tembChannels, outChannels);
        norm2 = Norms.GroupNorm(groups, outChannels, eps);
        this.dropout = nn.Dropout(dropout);
        partial_conv2 = new PartialConv(outChannels, nDiv);
        conv2 = nn.Conv2d(outChannels, outChannels, 1);
        conv_shortcut = inChannels != outChannels ? nn.Conv2d(inChannels, outChannels, 1) : null;
        RegisterComponents();
    }

    // (B, Cin, H, W), (B, Temb) -> (B, Cout, H, W)
    public override Tensor forward(Tensor x, Tensor? temb)
    {
        using var scope = NewDisposeScope();
        ArgumentNullException.ThrowIfNull(temb);
        var h = conv1.forward(partial_conv1.forward(nn.functional.silu(norm1.forward(x))));         // (B, Cout, H, W)
        h += time_emb_proj.forward(nn.functional.silu(temb)).unsqueeze(-1).unsqueeze(-1);          // (B, Cout, 1, 1)
        h = conv2.forward(partial_conv2.forward(dropout.forward(nn.functional.silu(norm2.forward(h))))); // (B, Cout, H, W)
        var shortcut = conv_shortcut is null ? x : conv_shortcut.forward(x);                       // (B, Cout, H, W)
        return (shortcut + h).MoveToOuterDisposeScope();
    }
}
