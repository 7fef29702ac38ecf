using MediaStudio.Language.Captioning;
using static TorchSharp.torch;

namespace MediaStudio.Language.Generation;

/// <summary>Picks the next token from logits: greedy, or temperature sampling after top-k and top-p (nucleus) filtering.</summary>
/// <remarks>
/// Notation: z (B, V) logits, τ temperature. Greedy: argmax z. Sampling: z/τ; top-k keeps the k largest; top-p
/// (Holtzman et al., 2020) sorts p = softmax(z/τ) descending and keeps the shortest prefix whose mass reaches p
/// (the most likely token is always kept); the rest are set to −∞ before the draw.
/// </remarks>
public static class TokenSampler
{
    /// <summary>Masks logits outside the top-k and the top-p nucleus with −∞.</summary>
    // (B, V) -> (B, V)
    public static Tensor Filter(Tensor logits, int topK, float topP)
    {
        ArgumentNullException.ThrowIfNull(logits);
        using var scope = NewDisposeScope();
        var z = logits;
        var vocab = z.shape[^1];
        if (topK > 0 && topK < vocab)
        {
            var kth = z.topk(topK, dim: -1).values.narrow(-1, topK - 1, 1);           // (B, 1)
            z = z.masked_fill(z.lt(kth), double.NegativeInfinity);
        }

        if (topP < 1)
        {
            var (sorted, order) = z.sort(dim: -1, descending: true);                  // (B, V)
            var probs = sorted.softmax(-1);
            var before = probs.cumsum(-1) - probs;                                     // mass of the better tokens
            var dropSorted = before.ge(topP);                                          // the first token has 0 before it: always kept
            var drop = zeros_like(dropSorted).scatter(-1, order, dropSorted);          // back to vocabulary order
            z = z.masked_fill(drop, double.NegativeInfinity);
        }

        return z.MoveToOuterDisposeScope();
    }

    /// <summary>Chooses one token per row.</summary>
    // (B, V) -> (B) int64
    public static Tensor Next(Tensor logits, GenerationOptions options, Generator? generator)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(options);
        using var scope = NewDisposeScope();
        var z = logits.to(ScalarType.Float32);
        if (options.Temperature == 0)
        {
            return z.argmax(-1).MoveToOuterDisposeScope();
        }

        var filtered = Filter(z / options.Temperature, options.TopK, options.TopP);
        var probs = filtered.softmax(-1);                                              // (B, V)
        return multinomial(probs, 1, generator: generator).squeeze(-1).MoveToOuterDisposeScope();
    }
}
