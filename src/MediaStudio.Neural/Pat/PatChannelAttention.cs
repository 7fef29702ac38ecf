using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Pat;

/// <summary>PAT_ch: partial 3x3 conv on C/n_div channels plus Gaussian (mean, std) channel attention on the rest.</summary>
/// <remarks>
/// Notation: C block width, Cp = C / n_div conv channels, Cu = C - Cp untouched channels, B batch, H x W map.
/// Following PATNet (arXiv 2503.03148, PAT_ch) and its code (haiduo/PartialNet, SRM-style gate):
/// mu, sd = mean and std of x2 over H x W; z = BN(Conv_{1x2}(cat(mu, sd))); y2 = BN(x2 * HardSigmoid(z)).
/// The std is the biased one plus eps, not the code's unbiased std, which is NaN on 1x1 maps (papers-media.md, pitfalls).
/// BatchNorm needs more than one value per channel in training mode, so train with batch >= 2.
/// </remarks>
public sealed class PatChannelAttention : nn.Module<Tensor, Tensor>
{
    private const double StdEps = 1e-5;

    private readonly long _convChannels;
    private readonly long _untouchedChannels;

    private readonly Conv2d partial_conv3;
    private readonly Conv2d srm_conv;
    private readonly BatchNorm2d srm_bn;
    private readonly BatchNorm2d norm;

    /// <summary>Creates the mixer.</summary>
    /// <param name="channels">Block width C.</param>
    /// <param name="nDiv">Split divisor; the conv sees C / nDiv channels.</param>
    public PatChannelAttention(long channels, int nDiv) : base(nameof(PatChannelAttention))
    {
        _convChannels = PatSplit.ConvChannels(channels, nDiv);
        _untouchedChannels = channels - _convChannels;
        partial_conv3 = nn.Conv2d(_convChannels, _convChannels, 3, padding: 1, bias: false);
        // a full Cu x Cu x (1 x 2) conv, not depthwise as in the original SRM (papers-media.md, pitfalls)
        srm_conv = nn.Conv2d(_untouchedChannels, _untouchedChannels, (1, 2), bias: false);
        srm_bn = nn.BatchNorm2d(_untouchedChannels);
        norm = nn.BatchNorm2d(_untouchedChannels);
        RegisterComponents();
    }

    // (B, C, H, W) -> (B, C, H, W)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var parts = x.split([_convChannels, _untouchedChannels], dim: 1);   // (B, Cp, H, W), (B, Cu, H, W)
        var y1 = partial_conv3.forward(parts[0]);                           // (B, Cp, H, W)
        var x2 = parts[1];
        var mu = x2.mean([2, 3], keepdim: true);                            // (B, Cu, 1, 1)
        var sd = (x2.var([2, 3], unbiased: false, keepdim: true) + StdEps).sqrt(); // (B, Cu, 1, 1)
        var u = cat([mu, sd], dim: -1);                                     // (B, Cu, 1, 2)
        var z = srm_bn.forward(srm_conv.forward(u));                        // (B, Cu, 1, 1)
        var y2 = norm.forward(x2 * nn.functional.hardsigmoid(z));           // (B, Cu, H, W)
        return cat([y1, y2], dim: 1).MoveToOuterDisposeScope();             // (B, C, H, W)
    }
}
