using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Clip;

/// <summary>What <see cref="ClipModel.forward"/> returns for a batch of images and texts.</summary>
/// <param name="ImageEmbeds">L2-normalised image embeddings (B_i, P).</param>
/// <param name="TextEmbeds">L2-normalised text embeddings (B_t, P).</param>
/// <param name="LogitsPerImage">Scaled cosine similarities (B_i, B_t); its transpose is logits per text.</param>
/// <param name="ImageAttributeLogits">Auxiliary attribute logits from the image embedding (B_i, A), or null without heads.</param>
/// <param name="TextAttributeLogits">Auxiliary attribute logits from the pooled text state (B_t, A), or null without heads.</param>
public sealed record ClipOutput(Tensor ImageEmbeds, Tensor TextEmbeds, Tensor LogitsPerImage, Tensor? ImageAttributeLogits, Tensor? TextAttributeLogits)
    : IDisposable
{
    /// <summary>Disposes every tensor.</summary>
    public void Dispose()
    {
        ImageEmbeds.Dispose();
        TextEmbeds.Dispose();
        LogitsPerImage.Dispose();
        ImageAttributeLogits?.Dispose();
        TextAttributeLogits?.Dispose();
    }
}
