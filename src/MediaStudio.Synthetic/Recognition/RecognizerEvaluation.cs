using System.Text.Json.Serialization;

namespace MediaStudio.Synthetic.Recognition;

/// <summary>The recognizer's accuracy per attribute on fresh held-out renders (fractions in [0, 1]).</summary>
public sealed record RecognizerEvaluation(
    [property: JsonPropertyName("samples")] int Samples,
    [property: JsonPropertyName("accuracy")] IReadOnlyDictionary<string, double> Accuracy);
