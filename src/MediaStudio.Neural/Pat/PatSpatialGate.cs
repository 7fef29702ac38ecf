using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Pat;

/// <summary>PAT_sp: the spatial gate applied to the MLP output (PATNet's partial_spatial_attn_layer_reverse).</summary>
/// <remarks>
/// Notation: C width, C1 = C - C/2 gated channels, C2 = C/2 mixed channels. o1 = BN(h1 * HardSigmoid(Conv_{1x1}(h1 -> 1))),
/// o2 = Conv_{1x1}(BN(h2)); output cat(o1, o2). Unlike PAT_ch, the attention takes the <em>first</em> channels.
/// </remarks>
public sealed class PatSpatialGate : nn.Module<Tensor, Tensor>
{
    private readonly long _gatedChannels;
    private readonly long _mixedChannels;

    private readonly Conv2d gate_conv;
    private readonly BatchNorm2d gate_norm;
    private readonly BatchNorm2d norm;
    private readonly Conv2d conv;

    /// <summary>Creates the gate.</summary>
    /// <param name="channels">Width C of the MLP output; must be at least 2.</param>
    public PatSpatialGate(long channels) : base(nameof(PatSpatialGate))
    {
        if (channels < 2)
        {
            throw new ArgumentException($"PAT_sp needs at least 2 channels, got {channels}", nameof(channels));
        }

        _mixedChannels = channels / 2;
        _gatedChannels = channels - _mixedChannels;
        gate_conv = nn.Conv2d(_gatedChannels, 1, 1, bias: false);
        gate_norm = nn.BatchNorm2d(_gatedChannels);
        norm = nn.BatchNorm2d(_mixedChannels);
        conv = nn.Conv2d(_mixedChannels, _mixedChannels, 1, bias: false);
        RegisterComponents();
    }

    // (B, C, H, W) -> (B, C, H, W)
    public override Tensor forward(Tensor h)
    {
        using var scope = NewDisposeScope();
        var parts = h.split([_gatedChannels, _mixedChannels], dim: 1);      // (B, C1, H, W), (B, C2, H, W)
        var w = nn.functional.hardsigmoid(gate_conv.forward(parts[0]));     // (B, 1, H, W)
        var o1 = gate_norm.forward(parts[0] * w);                           // (B, C1, H, W)
        var o2 = conv.forward(norm.forward(parts[1]));                      // (B, C2, H, W)
        return cat([o1, o2], dim: 1).MoveToOuterDisposeScope();             // (B, C, H, W)
    }
}
