using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Pat;

/// <summary>FasterNet's partial convolution (PConv): a 3x3 conv on the first C/n_div channels, the rest passed through.</summary>
/// <remarks>The baseline spatial mixer that PAT_ch and PAT_sf improve on (Chen et al., 2023, "Run, Don't Walk").</remarks>
public sealed class PartialConv : nn.Module<Tensor, Tensor>
{
    private readonly long _convChannels;
    private readonly long _untouchedChannels;

    private readonly Conv2d partial_conv3;

    /// <summary>Creates the mixer.</summary>
    /// <param name="channels">Block width C.</param>
    /// <param name="nDiv">Split divisor; the conv sees C / nDiv channels.</param>
    public PartialConv(long channels, int nDiv) : base(nameof(PartialConv))
    {
        _convChannels = PatSplit.ConvChannels(channels, nDiv);
        _untouchedChannels = channels - _convChannels;
        partial_conv3 = nn.Conv2d(_convChannels, _convChannels, 3, padding: 1, bias: false);
        RegisterComponents();
    }

    // (B, C, H, W) -> (B, C, H, W)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var parts = x.split([_convChannels, _untouchedChannels], dim: 1); // (B, Cp, H, W), (B, Cu, H, W)
        var y1 = partial_conv3.forward(parts[0]);                         // (B, Cp, H, W)
        return cat([y1, parts[1]], dim: 1).MoveToOuterDisposeScope();      // (B, C, H, W)
    }
}
