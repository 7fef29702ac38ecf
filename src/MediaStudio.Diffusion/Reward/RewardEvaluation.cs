using System.Text.Json.Serialization;

namespace MediaStudio.Diffusion.Reward;

/// <summary>Pair accuracy of the reward model on held-out preference pairs, overall and by the pair's reason.</summary>
/// <param name="Pairs">Held-out pairs scored.</param>
/// <param name="FirstSeed">First held-out pair seed.</param>
/// <param name="CosineBaseline">Which CLIP the cosine column uses.</param>
/// <param name="Accuracy">Fraction with r(chosen) &gt; r(rejected), by group ("overall", "degraded: Blur", "wrong Color", ...).</param>
/// <param name="ClipCosineAccuracy">The same with a raw CLIP cosine as the score, by group.</param>
/// <param name="Counts">Pairs per group.</param>
/// <param name="MeanMargin">Mean r(chosen) − r(rejected) over all pairs.</param>
public sealed record RewardEvaluation(
    [property: JsonPropertyName("pairs")] int Pairs,
    [property: JsonPropertyName("first_seed")] long FirstSeed,
    [property: JsonPropertyName("cosine_baseline")] string CosineBaseline,
    [property: JsonPropertyName("accuracy")] IReadOnlyDictionary<string, double> Accuracy,
    [property: JsonPropertyName("clip_cosine_accuracy")] IReadOnlyDictionary<string, double> ClipCosineAccuracy,
    [property: JsonPropertyName("counts")] IReadOnlyDictionary<string, int> Counts,
    [property: JsonPropertyName("mean_margin")] double MeanMargin);
