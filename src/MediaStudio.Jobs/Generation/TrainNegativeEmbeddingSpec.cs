using System.Text.Json;
using MediaStudio.Diffusion.Negatives;

namespace MediaStudio.Jobs.Generation;

/// <summary>The spec of a <c>train-negative-embedding</c> job.</summary>
/// <param name="Name">Name of the new embedding (a folder under models/negatives).</param>
/// <param name="Prompts">Training prompts; the world's captions when empty.</param>
/// <param name="Steps">Optimizer steps; the recipe's when null.</param>
public sealed record TrainNegativeEmbeddingSpec(string Name, IReadOnlyList<string>? Prompts = null, long? Steps = null)
{
    /// <summary>The most training prompts accepted.</summary>
    public const int MaxPrompts = 10_000;

    /// <summary>Reads a spec from the job's JSON.</summary>
    /// <exception cref="JsonException">The JSON does not describe a spec.</exception>
    public static TrainNegativeEmbeddingSpec Parse(string json) =>
        JsonSerializer.Deserialize<TrainNegativeEmbeddingSpec>(json, JsonSerializerOptions.Web) ?? throw new JsonException("the spec is empty");

    /// <summary>Writes the spec as the job's JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    /// <summary>Checks every field.</summary>
    /// <returns>One message per problem; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        try
        {
            NegativeEmbedding.ValidateName(Name);
        }
        catch (ArgumentException e)
        {
            problems.Add($"name: {e.Message}");
        }

        if (Prompts is { Count: > MaxPrompts })
        {
            problems.Add($"prompts: {Prompts.Count} is more than the {MaxPrompts} accepted");
        }

        if (Prompts is not null && Prompts.Any(p => string.IsNullOrWhiteSpace(p) || p.Length > TextToImageSpec.MaxPromptLength))
        {
            problems.Add($"prompts: every prompt must be 1 to {TextToImageSpec.MaxPromptLength} characters");
        }

        if (Steps is < 1 or > 100_000)
        {
            problems.Add($"steps: {Steps} is outside 1 to 100000");
        }

        return problems;
    }
}
