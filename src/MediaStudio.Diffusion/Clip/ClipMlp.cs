using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Clip;

/// <summary>The feed-forward block of a CLIP layer: fc1, GELU, fc2.</summary>
public sealed class ClipMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    /// <summary>Creates the MLP.</summary>
    /// <param name="config">Validated text config.</param>
    public ClipMlp(ClipTextConfig config) : base(nameof(ClipMlp))
    {
        ArgumentNullException.ThrowIfNull(config);
        fc1 = nn.Linear(config.HiddenSize, config.IntermediateSize);
        fc2 = nn.Linear(config.IntermediateSize, config.HiddenSize);
        RegisterComponents();
    }

    // (B, T, D) -> (B, T, D)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.gelu(fc1.forward(x)); // (B, T, I)
        return fc2.forward(h).MoveToOuterDisposeScope();
    }
}
