using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Pat;

/// <summary>The PATNet/FasterNet block MLP: 1x1 conv, BN, activation, 1x1 conv, optionally followed by the PAT_sp gate.</summary>
public sealed class PatMlp : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d fc1;
    private readonly BatchNorm2d norm;
    private readonly nn.Module<Tensor, Tensor> act;
    private readonly Conv2d fc2;
    private readonly PatSpatialGate? spatial_attn;

    /// <summary>Creates the MLP.</summary>
    /// <param name="channels">Block width C.</param>
    /// <param name="hiddenChannels">Hidden width.</param>
    /// <param name="activation">"gelu" or "relu".</param>
    /// <param name="spatialAttention">Append the PAT_sp gate.</param>
    public PatMlp(long channels, long hiddenChannels, string activation, bool spatialAttention) : base(nameof(PatMlp))
    {
        fc1 = nn.Conv2d(channels, hiddenChannels, 1, bias: false);
        norm = nn.BatchNorm2d(hiddenChannels);
        act = PatActivation.Create(activation);
        fc2 = nn.Conv2d(hiddenChannels, channels, 1, bias: false);
        spatial_attn = spatialAttention ? new PatSpatialGate(channels) : null;
        RegisterComponents();
    }

    // (B, C, H, W) -> (B, C, H, W)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var hidden = act.forward(norm.forward(fc1.forward(x))); // (B, 2C, H, W)
        var h = fc2.forward(hidden);                            // (B, C, H, W)
        return (spatial_attn is null ? h : spatial_attn.forward(h)).MoveToOuterDisposeScope();
    }
}
