using MediaStudio.Diffusion.Reward;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Negatives;

/// <summary>The trained reward model as ReNeg's reward; freezes it.</summary>
public sealed class RewardModelFunction : IRewardFunction
{
    private readonly RewardModel _model;

    /// <summary>Wraps and freezes <paramref name="model"/> (the caller keeps ownership).</summary>
    public RewardModelFunction(RewardModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        model.eval();
        foreach (var p in model.parameters())
        {
            p.requires_grad = false;
        }
    }

    /// <inheritdoc />
    public Tensor Score(Tensor images, IReadOnlyList<string> prompts) => _model.Score(images, prompts);
}
