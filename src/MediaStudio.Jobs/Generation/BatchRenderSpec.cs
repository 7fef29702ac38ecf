using System.Text.Json;

namespace MediaStudio.Jobs.Generation;

/// <summary>The spec of a <c>batch-render</c> job: every prompt drawn with every seed, with shared settings.</summary>
/// <param name="Prompts">The prompts, in order (rows of the contact sheet).</param>
/// <param name="Seeds">The seeds, in order (columns of the contact sheet).</param>
/// <param name="NegativeMode">none, prompt or embedding (as in <see cref="TextToImageSpec"/>).</param>
/// <param name="NegativePrompt">Negative prompt for mode prompt.</param>
/// <param name="NegativeEmbedding">Learned embedding name for mode embedding.</param>
/// <param name="Steps">Sampler steps.</param>
/// <param name="Guidance">Guidance scale.</param>
/// <param name="Sampler">Sampler name.</param>
/// <param name="Width">Image width.</param>
/// <param name="Height">Image height.</param>
public sealed record BatchRenderSpec(
    IReadOnlyList<string> Prompts,
    IReadOnlyList<long> Seeds,
    string NegativeMode = TextToImageSpec.NegativeNone,
    string? NegativePrompt = null,
    string? NegativeEmbedding = null,
    int Steps = 20,
    double Guidance = 5,
    string Sampler = "dpmpp_2m",
    int Width = 64,
    int Height = 64)
{
    /// <summary>The most images one batch may ask for.</summary>
    public const int MaxImages = 512;

    /// <summary>Reads a spec from the job's JSON (web defaults: camelCase).</summary>
    /// <exception cref="JsonException">The JSON does not describe a spec.</exception>
    public static BatchRenderSpec Parse(string json) =>
        JsonSerializer.Deserialize<BatchRenderSpec>(json, JsonSerializerOptions.Web) ?? throw new JsonException("the spec is empty");

    /// <summary>Writes the spec as the job's JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    /// <summary>The single-image spec of one cell of the batch.</summary>
    public TextToImageSpec Item(int prompt, int seed) =>
        new(Prompts[prompt], NegativeMode, NegativePrompt, NegativeEmbedding, false, Seeds[seed], Steps, Guidance, Sampler, Width, Height, 1);

    /// <summary>Checks every field; a bad prompt is named by its line number.</summary>
    /// <returns>One message per problem; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Prompts is null || Prompts.Count == 0)
        {
            problems.Add("prompts: none given");
        }

        if (Seeds is null || Seeds.Count == 0)
        {
            problems.Add("seeds: none given");
        }

        if (problems.Count > 0)
        {
            return problems;
        }

        if (Prompts!.Count * Seeds!.Count > MaxImages)
        {
            problems.Add($"prompts x seeds: {Prompts.Count} x {Seeds.Count} = {Prompts.Count * Seeds.Count} images is more than the {MaxImages} a batch may have");
        }

        if (Seeds.Distinct().Count() != Seeds.Count)
        {
            problems.Add("seeds: a seed is repeated; each would draw the same images");
        }

        for (var p = 0; p < Prompts.Count; p++)
        {
            foreach (var problem in Item(p, 0).Validate())
            {
                problems.Add(problem.StartsWith("prompt:", StringComparison.Ordinal) ? $"prompts[{p + 1}]{problem["prompt".Length..]}" : problem);
            }
        }

        return [.. problems.Distinct()];
    }
}
