using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Negatives;

/// <summary>A differentiable reward r(image, prompt) that ReNeg ascends: the trained reward model, or a toy one in tests.</summary>
public interface IRewardFunction
{
    /// <summary>Scores images against their prompts.</summary>
    /// <param name="images">(B, 3, H, W) in [-1, 1]; the result must be differentiable in them.</param>
    /// <param name="prompts">One prompt per image.</param>
    /// <returns>(B) rewards, higher is better.</returns>
    Tensor Score(Tensor images, IReadOnlyList<string> prompts);
}
