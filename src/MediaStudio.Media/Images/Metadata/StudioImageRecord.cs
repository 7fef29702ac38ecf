using System.Text.Json;
using System.Text.Json.Serialization;

namespace MediaStudio.Media.Images.Metadata;

/// <summary>The <c>mediastudio</c> PNG text chunk: the full job spec, the seed actually used and the model versions,
/// enough to render the image again.</summary>
/// <param name="Kind">The job kind that made the image, e.g. <c>text-to-image</c>.</param>
/// <param name="Spec">The job spec as the job received it.</param>
/// <param name="Seed">The seed this image was rendered from.</param>
/// <param name="Models">Each model used, by name, with its version (e.g. a weights SHA-256 prefix).</param>
public sealed record StudioImageRecord(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("spec")] JsonElement Spec,
    [property: JsonPropertyName("seed")] long Seed,
    [property: JsonPropertyName("models")] IReadOnlyDictionary<string, string> Models)
{
    /// <summary>The PNG text keyword.</summary>
    public const string Keyword = "mediastudio";

    /// <summary>Gets the record format version.</summary>
    [JsonPropertyName("format")]
    public int Format { get; init; } = 1;

    /// <summary>Writes the chunk's JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Reads the chunk's JSON.</summary>
    /// <exception cref="JsonException">The text is not such a record.</exception>
    public static StudioImageRecord Parse(string json)
    {
        var record = JsonSerializer.Deserialize<StudioImageRecord>(json) ?? throw new JsonException("the mediastudio chunk is empty");
        return record.Spec.ValueKind == JsonValueKind.Object ? record : throw new JsonException("the mediastudio chunk has no spec object");
    }
}
