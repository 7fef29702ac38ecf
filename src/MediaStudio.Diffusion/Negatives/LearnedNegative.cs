using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Negatives;

/// <summary>The trainable (T, D) negative embedding as a module, so the shared trainer, optimizer and checkpoints apply.</summary>
public sealed class LearnedNegative : nn.Module
{
    private readonly Parameter embedding;

    /// <summary>Starts from a copy of <paramref name="initial"/> (ReNeg starts from the empty prompt's states).</summary>
    public LearnedNegative(Tensor initial) : base(nameof(LearnedNegative))
    {
        ArgumentNullException.ThrowIfNull(initial);
        embedding = new Parameter(initial.detach().clone(), requires_grad: true);
        RegisterComponents();
    }

    /// <summary>Gets the (T, D) parameter.</summary>
    public Parameter Embedding => embedding;
}
