using System.Text.Json;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Jobs.Models;
using MediaStudio.Neural.Checkpoints;
using Microsoft.Extensions.Options;

namespace MediaStudio.Web.Services;

/// <summary>The learned negative embeddings on disk: one folder per embedding under <c>models/negatives/</c>, each with a
/// <c>card.json</c> (any other <c>*.json</c> is read when that is missing).</summary>
public sealed class NegativeEmbeddingCatalog(IOptions<ModelRegistryOptions> models)
{
    /// <summary>Gets the folder that holds the embeddings.</summary>
    public string Root => Path.Combine(Path.GetFullPath(models.Value.Path), "negatives");

    /// <summary>Lists the embeddings, by name; each says whether it was trained for another text tower than the one that
    /// conditions the installed UNet (generation refuses those).</summary>
    public IReadOnlyList<NegativeEmbeddingCard> List()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        var current = CurrentTextEncoder();
        var cards = new List<NegativeEmbeddingCard>();
        foreach (var folder in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            var card = Path.Combine(folder, "card.json");
            if (!File.Exists(card))
            {
                card = Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal).FirstOrDefault() ?? string.Empty;
            }

            if (card.Length > 0 && Read(Path.GetFileName(folder), card, current) is { } read)
            {
                cards.Add(read);
            }
        }

        return cards;
    }

    private string? CurrentTextEncoder()
    {
        try
        {
            return TextToImagePipeline.TextEncoderSha256(Path.GetFullPath(models.Value.Path));
        }
        catch (Exception e) when (e is CheckpointException or IOException or UnauthorizedAccessException)
        {
            return null; // no installed models to compare with: nothing is marked
        }
    }

    private static NegativeEmbeddingCard? Read(string name, string path, string? currentTextEncoder)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var facts = new List<KeyValuePair<string, string>>();
            string? description = null;
            List<string>? prompts = null;
            var stale = false;
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    JsonValueKind.Array => $"{property.Value.GetArrayLength()} items",
                    _ => null,
                };
                if (property.Name == "prompts" && property.Value.ValueKind == JsonValueKind.Array)
                {
                    prompts = property.Value.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.String).Select(p => p.GetString()!).ToList();
                }

                if (value is null)
                {
                    continue;
                }

                if (property.Name == "text_encoder_sha256" && currentTextEncoder is not null)
                {
                    stale = !string.Equals(value, currentTextEncoder, StringComparison.OrdinalIgnoreCase);
                }

                if (property.Name is "description" or "summary")
                {
                    description = value;
                }
                else if (property.Name != "name")
                {
                    facts.Add(new(property.Name, value));
                }
            }

            return new NegativeEmbeddingCard(name, description, facts, prompts, stale);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>A learned negative embedding as the picker shows it.</summary>
/// <param name="Name">The folder name, which the spec's <c>negativeEmbedding</c> refers to.</param>
/// <param name="Description">The card's description, if any.</param>
/// <param name="Facts">The card's other scalar fields (reward before and after, prompts used, …).</param>
/// <param name="Prompts">The training prompts the card lists, if it lists them.</param>
/// <param name="TrainedForAnotherModel">The card names a text tower other than the one that conditions the installed UNet.</param>
public sealed record NegativeEmbeddingCard(
    string Name, string? Description, IReadOnlyList<KeyValuePair<string, string>> Facts, IReadOnlyList<string>? Prompts = null, bool TrainedForAnotherModel = false);
