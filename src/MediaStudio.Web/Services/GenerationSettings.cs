using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaStudio.Jobs.Generation;
using MediaStudio.Media.Images.Metadata;

namespace MediaStudio.Web.Services;

/// <summary>Turns the settings an image carries (our <c>mediastudio</c> chunk, A1111's infotext, an asset's
/// <c>MetadataJson</c>) into a <see cref="TextToImageSpec"/> for the Create form, and back.</summary>
public static class GenerationSettings
{
    /// <summary>Names our sampler the way A1111 does ("DPM++ 2M").</summary>
    public static string SamplerToA1111(string sampler) => A1111Samplers.ToA1111(sampler);

    /// <summary>Maps an A1111 sampler name ("DPM++ 2M Karras", "Euler a") to ours, or null when there is no equivalent.</summary>
    public static string? SamplerFromA1111(string? name) =>
        A1111Samplers.FromA1111(name) is { } ours && TextToImageSpec.Samplers.Contains(ours) ? ours : null;

    /// <summary>Reads the settings of a dropped PNG.</summary>
    /// <returns>The spec, with notes on anything that could not be carried over; null when the image has no settings.</returns>
    public static ImportedSettings? FromImage(ImageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Studio is { } studio)
        {
            var spec = ParseSpec(studio.Spec.GetRawText()) with { Seed = studio.Seed };
            return new ImportedSettings(spec, "MediaStudio", []);
        }

        return settings.Info is { } info ? FromInfoText(info) : null;
    }

    /// <summary>Maps A1111 infotext onto a spec.</summary>
    public static ImportedSettings FromInfoText(InfoText info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var notes = new List<string>();
        var spec = new TextToImageSpec(info.Prompt);
        if (!string.IsNullOrWhiteSpace(info.NegativePrompt))
        {
            spec = spec with { NegativeMode = TextToImageSpec.NegativeFromPrompt, NegativePrompt = info.NegativePrompt };
        }

        if (info.Steps is { } steps)
        {
            spec = spec with { Steps = steps };
        }

        if (info.CfgScale is { } cfg)
        {
            spec = spec with { Guidance = cfg };
        }

        if (info.Seed is { } seed and >= 0)
        {
            spec = spec with { Seed = seed };
        }

        if (info.Size is { } size)
        {
            spec = spec with { Width = size.Width, Height = size.Height };
        }

        if (info.Sampler is { } sampler)
        {
            if (SamplerFromA1111(sampler) is { } ours)
            {
                spec = spec with { Sampler = ours };
            }
            else
            {
                notes.Add($"sampler '{sampler}' has no equivalent here; kept {spec.Sampler}");
            }
        }

        if (info.Model is { } model)
        {
            notes.Add($"made with model '{model}'");
        }

        return new ImportedSettings(spec, "AUTOMATIC1111", notes);
    }

    /// <summary>Reads an asset's <c>MetadataJson</c>: a spec plus the seed used (outputs), <c>{ "spec": …, "seed": … }</c>,
    /// or <c>{ "parameters": infotext }</c> (uploads from other tools).</summary>
    /// <returns>Null when the JSON holds no settings.</returns>
    public static ImportedSettings? FromMetadataJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (root.TryGetProperty("spec", out var inner) && inner.ValueKind == JsonValueKind.Object)
            {
                var spec = ParseSpec(inner.GetRawText());
                return new ImportedSettings(root.TryGetProperty("seed", out var seed) && seed.TryGetInt64(out var s) ? spec with { Seed = s } : spec, "MediaStudio", []);
            }

            if (root.TryGetProperty("prompt", out _))
            {
                return new ImportedSettings(ParseSpec(json), "MediaStudio", []);
            }

            return root.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.String
                ? FromInfoText(InfoText.Parse(parameters.GetString()!))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the metadata JSON for an image from our own chunk: the spec with the seed actually used.</summary>
    public static string ToMetadataJson(StudioImageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var spec = JsonNode.Parse(record.Spec.GetRawText())!.AsObject();
        spec["seed"] = record.Seed;
        return spec.ToJsonString();
    }

    /// <summary>Lists an asset's settings as label and value pairs for display.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Describe(string? metadataJson)
    {
        if (string.IsNullOrWhiteSpace(metadataJson))
        {
            return [];
        }

        try
        {
            using var doc = JsonDocument.Parse(metadataJson);
            var rows = new List<KeyValuePair<string, string>>();
            Flatten(doc.RootElement, string.Empty, rows);
            return rows;
        }
        catch (JsonException)
        {
            return [new("metadata", metadataJson)];
        }
    }

    private static void Flatten(JsonElement element, string prefix, List<KeyValuePair<string, string>> rows)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}", rows);
                }

                break;
            case JsonValueKind.Array:
                rows.Add(new(prefix, string.Join(", ", element.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText()))));
                break;
            case JsonValueKind.String:
                rows.Add(new(prefix, element.GetString()!));
                break;
            case JsonValueKind.Null:
                rows.Add(new(prefix, "—"));
                break;
            default:
                rows.Add(new(prefix, element.GetRawText()));
                break;
        }
    }

    private static TextToImageSpec ParseSpec(string json)
    {
        var spec = TextToImageSpec.Parse(json);
        return spec.Prompt is null ? spec with { Prompt = string.Empty } : spec;
    }
}

/// <summary>Settings read from an image, ready for the Create form.</summary>
/// <param name="Spec">The spec to fill the form with.</param>
/// <param name="Source">Whose metadata it was: <c>MediaStudio</c> or <c>AUTOMATIC1111</c>.</param>
/// <param name="Notes">What could not be carried over, in words.</param>
public sealed record ImportedSettings(TextToImageSpec Spec, string Source, IReadOnlyList<string> Notes)
{
    /// <summary>Describes the import for a snackbar.</summary>
    public string Summary => Notes.Count == 0
        ? $"Settings filled from {Source} metadata"
        : string.Create(CultureInfo.InvariantCulture, $"Settings filled from {Source} metadata ({string.Join("; ", Notes)})");
}
