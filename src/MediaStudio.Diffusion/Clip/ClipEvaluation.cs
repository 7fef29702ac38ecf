using System.Text.Json.Serialization;

namespace MediaStudio.Diffusion.Clip;

/// <summary>CLIP's measured quality on held-out scenes (fractions in [0, 1]).</summary>
/// <param name="Samples">Held-out image-caption pairs.</param>
/// <param name="BatchSize">Retrieval happens among this many candidates.</param>
/// <param name="FirstSeed">First held-out scene seed.</param>
/// <param name="DegradationRate">Fraction of held-out retrieval scenes with a named degradation.</param>
/// <param name="Retrieval">image_to_text_top1/top5, text_to_image_top1/top5.</param>
/// <param name="ZeroShot">Per attribute: the true caption outranks every caption with that attribute changed.</param>
/// <param name="ZeroShotSamples">Images scored zero-shot.</param>
/// <param name="AttributeHeads">Accuracy of the auxiliary heads on the retrieval pairs, per side (text from the pooled state, image from
/// the embedding) and attribute kind; "*_all_heads" = every head of the scene right. Empty without heads.</param>
/// <param name="CaptionTokens">Caption length statistics in tokens (bos and eos included): p50, p99, max, and the fraction truncated.</param>
public sealed record ClipEvaluation(
    [property: JsonPropertyName("samples")] int Samples,
    [property: JsonPropertyName("batch_size")] int BatchSize,
    [property: JsonPropertyName("first_seed")] long FirstSeed,
    [property: JsonPropertyName("degradation_rate")] double DegradationRate,
    [property: JsonPropertyName("retrieval")] IReadOnlyDictionary<string, double> Retrieval,
    [property: JsonPropertyName("zero_shot")] IReadOnlyDictionary<string, double> ZeroShot,
    [property: JsonPropertyName("zero_shot_samples")] int ZeroShotSamples,
    [property: JsonPropertyName("caption_tokens")] IReadOnlyDictionary<string, double> CaptionTokens,
    [property: JsonPropertyName("attribute_heads")] IReadOnlyDictionary<string, double> AttributeHeads);
