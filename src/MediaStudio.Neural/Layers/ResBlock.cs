using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Layers;

/// <summary>GroupNorm residual block with a timestep-embedding input, as in Stable Diffusion's UNet (diffusers' <c>ResnetBlock2D</c>).</summary>
/// <remarks>
/// h = conv1(SiLU(norm1(x))) + time_emb_proj(SiLU(temb))[:, :, None, None]; h = conv2(dropout(SiLU(norm2(h))));
/// y = (shortcut(x) + h) / output_scale_factor. The shortcut is a 1x1 conv when the channel count changes.
/// Both GroupNorms come from <see cref="Norms.GroupNorm"/>. Groups default to 32, eps to 1e-6, as in SD.
/// </remarks>
public sealed class ResBlock : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly double _outputScaleFactor;

    private readonly GroupNorm norm1;
    private readonly Conv2d conv1;
    private readonly Linear? time_emb_proj;
    private readonly GroupNorm norm2;
    private readonly Dropout dropout;
    private readonly Conv2d conv2;
    private readonly Conv2d? conv_shortcut;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels; must be divisible by <paramref name="groups"/>.</param>
    /// <param name="outChannels">Output channels; must be divisible by <paramref name="groups"/>.</param>
    /// <param name="tembChannels">Width of the timestep embedding; 0 builds a block without one.</param>
    /// <param name="groups">GroupNorm groups.</param>
    /// <param name="dropout">Dropout before the second conv.</param>
    /// <param name="eps">GroupNorm eps.</param>
    /// <param name="outputScaleFactor">Divides the sum of shortcut and residual.</param>
    public ResBlock(long inChannels, long outChannels, long tembChannels, int groups = 32, double dropout = 0, double eps = 1e-6, double outputScaleFactor = 1)
        : base(nameof(ResBlock))
    {
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"groups ({groups}) must divide in_channels ({inChannels}) and out_channels ({outChannels})", nameof(groups));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(tembChannels);
        _outputScaleFactor = outputScaleFactor;
        norm1 = Norms.GroupNorm(groups, inChannels, eps);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        time_emb_proj = tembChannels > 0 ? nn.Linear(tembChannels, outChannels) : null;
        norm2 = Norms.GroupNorm(groups, outChannels, eps);
        this.dropout = nn.Dropout(dropout);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1);
        conv_shortcut = inChannels != outChannels ? nn.Conv2d(inChannels, outChannels, 1) : null;
        RegisterComponents();
    }

    // (B, Cin, H, W), (B, Temb) -> (B, Cout, H, W)
    public override Tensor forward(Tensor x, Tensor? temb)
    {
        using var scope = NewDisposeScope();
        var h = conv1.forward(nn.functional.silu(norm1.forward(x)));                    // (B, Cout, H, W)
        if (time_emb_proj is not null)
        {
            ArgumentNullException.ThrowIfNull(temb);
            h += time_emb_proj.forward(nn.functional.silu(temb)).unsqueeze(-1).unsqueeze(-1); // (B, Cout, 1, 1)
        }

        h = conv2.forward(dropout.forward(nn.functional.silu(norm2.forward(h))));       // (B, Cout, H, W)
        var shortcut = conv_shortcut is null ? x : conv_shortcut.forward(x);            // (B, Cout, H, W)
        return ((shortcut + h) / _outputScaleFactor).MoveToOuterDisposeScope();
    }
}
