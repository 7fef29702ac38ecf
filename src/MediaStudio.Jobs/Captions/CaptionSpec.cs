using System.Text.Json;

namespace MediaStudio.Jobs.Captions;

/// <summary>The spec of a <c>caption</c> job: which gallery assets (images or clips) to describe.</summary>
/// <param name="AssetIds">The assets to caption, 1 to <see cref="MaxAssets"/>, each once.</param>
/// <param name="Overwrite">Replace a caption the asset has already; false leaves captioned assets alone.</param>
/// <param name="Seed">The decoding seed (greedy decoding ignores it; kept so sampled captions are reproducible).</param>
/// <param name="MaxNewTokens">The longest caption in tokens.</param>
public sealed record CaptionSpec(IReadOnlyList<Guid> AssetIds, bool Overwrite = true, long Seed = 0, int MaxNewTokens = 48)
{
    /// <summary>The job kind that runs this spec.</summary>
    public const string Kind = "caption";

    /// <summary>The most assets one caption job takes.</summary>
    public const int MaxAssets = 256;

    /// <summary>Reads a spec from the job's JSON (web defaults: camelCase).</summary>
    /// <exception cref="JsonException">The JSON does not describe a spec.</exception>
    public static CaptionSpec Parse(string json) =>
        JsonSerializer.Deserialize<CaptionSpec>(json, JsonSerializerOptions.Web) ?? throw new JsonException("the spec is empty");

    /// <summary>Writes the spec as the job's JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    /// <summary>Checks every field.</summary>
    /// <returns>One message per bad field, naming it; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (AssetIds is null || AssetIds.Count == 0)
        {
            problems.Add("assetIds: no asset to caption");
        }
        else if (AssetIds.Count > MaxAssets)
        {
            problems.Add($"assetIds: {AssetIds.Count} assets is more than the {MaxAssets} allowed in one job");
        }
        else if (AssetIds.Distinct().Count() != AssetIds.Count)
        {
            problems.Add("assetIds: an asset is listed twice");
        }
        else if (AssetIds.Contains(Guid.Empty))
        {
            problems.Add("assetIds: the empty id is not an asset");
        }

        if (MaxNewTokens is < 1 or > 256)
        {
            problems.Add($"maxNewTokens: {MaxNewTokens} is outside 1 to 256");
        }

        return problems;
    }
}
