using System.Text.Json;

namespace MediaStudio.Jobs.Generation;

/// <summary>The spec of a <c>text-to-image</c> job: one prompt, rendered <see cref="Count"/> times from consecutive seeds.</summary>
/// <param name="Prompt">What to draw.</param>
/// <param name="NegativeMode">How the guidance's unconditional branch is made: <c>none</c> (the empty prompt),
/// <c>prompt</c> (<see cref="NegativePrompt"/>) or <c>embedding</c> (the learned <see cref="NegativeEmbedding"/>).</param>
/// <param name="NegativePrompt">The hand-written negative prompt, for mode <c>prompt</c>.</param>
/// <param name="NegativeEmbedding">The name of a learned negative embedding, for mode <c>embedding</c>.</param>
/// <param name="Refine">Refine the embedding for this prompt before sampling (ReNeg's per-prompt variant).</param>
/// <param name="Seed">First seed; null draws one, recorded in the output's metadata.</param>
/// <param name="Steps">Sampler steps.</param>
/// <param name="Guidance">Classifier-free guidance scale; 1 turns the unconditional branch off.</param>
/// <param name="Sampler">ddpm, ddim, dpmpp_2m or euler_a.</param>
/// <param name="Width">Output width in pixels.</param>
/// <param name="Height">Output height in pixels.</param>
/// <param name="Count">Images to render (seeds Seed, Seed + 1, ...).</param>
public sealed record TextToImageSpec(
    string Prompt,
    string NegativeMode = TextToImageSpec.NegativeNone,
    string? NegativePrompt = null,
    string? NegativeEmbedding = null,
    bool Refine = false,
    long? Seed = null,
    int Steps = 20,
    double Guidance = 5,
    string Sampler = "dpmpp_2m",
    int Width = 64,
    int Height = 64,
    int Count = 1)
{
    public const string NegativeNone = "none";
    public const string NegativeFromPrompt = "prompt";
    public const string NegativeFromEmbedding = "embedding";

    /// <summary>The longest prompt kept; the text encoder reads its first tokens only, so more is refused, not cut.</summary>
    public const int MaxPromptLength = 2000;

    /// <summary>The sampler names a spec may use.</summary>
    public static readonly IReadOnlyList<string> Samplers = ["ddpm", "ddim", "dpmpp_2m", "euler_a"];

    /// <summary>Reads a spec from the job's JSON (web defaults: camelCase).</summary>
    /// <exception cref="JsonException">The JSON does not describe a spec.</exception>
    public static TextToImageSpec Parse(string json) =>
        JsonSerializer.Deserialize<TextToImageSpec>(json, JsonSerializerOptions.Web) ?? throw new JsonException("the spec is empty");

    /// <summary>Writes the spec as the job's JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    /// <summary>Checks every field.</summary>
    /// <returns>One message per bad field, naming it; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Prompt))
        {
            problems.Add("prompt: is empty");
        }
        else if (Prompt.Length > MaxPromptLength)
        {
            problems.Add($"prompt: {Prompt.Length:N0} characters is more than the {MaxPromptLength:N0} allowed");
        }

        switch (NegativeMode)
        {
            case NegativeNone:
                break;
            case NegativeFromPrompt when string.IsNullOrWhiteSpace(NegativePrompt):
                problems.Add("negativePrompt: is empty but negativeMode is 'prompt'");
                break;
            case NegativeFromPrompt when NegativePrompt!.Length > MaxPromptLength:
                problems.Add($"negativePrompt: {NegativePrompt.Length:N0} characters is more than the {MaxPromptLength:N0} allowed");
                break;
            case NegativeFromPrompt:
                break;
            case NegativeFromEmbedding when string.IsNullOrWhiteSpace(NegativeEmbedding):
                problems.Add("negativeEmbedding: no embedding named but negativeMode is 'embedding'");
                break;
            case NegativeFromEmbedding:
                break;
            default:
                problems.Add($"negativeMode: '{NegativeMode}' is not one of none, prompt, embedding");
                break;
        }

        if (Refine && NegativeMode != NegativeFromEmbedding)
        {
            problems.Add("refine: per-prompt refinement starts from a learned embedding; set negativeMode to 'embedding'");
        }

        if (Steps is < 1 or > 200)
        {
            problems.Add($"steps: {Steps} is outside 1 to 200");
        }

        if (!double.IsFinite(Guidance) || Guidance is < 1 or > 30)
        {
            problems.Add($"guidance: {Guidance} is outside 1 to 30");
        }

        if (!Samplers.Contains(Sampler))
        {
            problems.Add($"sampler: '{Sampler}' is not one of {string.Join(", ", Samplers)}");
        }

        if (Width is < 32 or > 1024 || Width % 32 != 0)
        {
            problems.Add($"width: {Width} must be a multiple of 32 from 32 to 1024");
        }

        if (Height is < 32 or > 1024 || Height % 32 != 0)
        {
            problems.Add($"height: {Height} must be a multiple of 32 from 32 to 1024");
        }

        if (Count is < 1 or > 64)
        {
            problems.Add($"count: {Count} is outside 1 to 64");
        }

        return problems;
    }
}
