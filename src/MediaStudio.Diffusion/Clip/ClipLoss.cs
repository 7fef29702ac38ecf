using MediaStudio.Synthetic.Recognition;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Clip;

/// <summary>CLIP's training losses: symmetric InfoNCE plus the optional auxiliary attribute loss.</summary>
/// <remarks>
/// Notation: L (N, N) logits per image, row i matching column i. InfoNCE (Radford et al. 2021, Figure 3; van den Oord
/// et al. 2018): loss = (CE(L, arange N) + CE(Lᵀ, arange N)) / 2. Auxiliary: the recognizer's per-head cross-entropy
/// (<see cref="SceneRecognizer.Loss"/>, summed over the 23 heads) divided by the head count, i.e. the mean per head.
/// </remarks>
public static class ClipLoss
{
    /// <summary>Symmetric InfoNCE over a square logits matrix whose diagonal holds the matching pairs.</summary>
    // (N, N) -> ()
    public static Tensor Contrastive(Tensor logitsPerImage)
    {
        ArgumentNullException.ThrowIfNull(logitsPerImage);
        using var scope = NewDisposeScope();
        var labels = arange(logitsPerImage.shape[0], dtype: ScalarType.Int64, device: logitsPerImage.device); // (N)
        var imageLoss = nn.functional.cross_entropy(logitsPerImage, labels);
        var textLoss = nn.functional.cross_entropy(logitsPerImage.t(), labels);
        return ((imageLoss + textLoss) / 2).MoveToOuterDisposeScope();
    }

    /// <summary>Mean cross-entropy per attribute head (absent objects' attributes ignored).</summary>
    // logits (B, A), targets (B, H) -> ()
    public static Tensor Attributes(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        return (SceneRecognizer.Loss(logits, targets) / AttributeHeads.Heads.Count).MoveToOuterDisposeScope();
    }
}
