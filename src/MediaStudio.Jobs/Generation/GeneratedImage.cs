using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaStudio.Jobs.Execution;
using MediaStudio.Media.Images;
using MediaStudio.Media.Images.Metadata;

namespace MediaStudio.Jobs.Generation;

/// <summary>
/// How a generated image leaves a job: a PNG carrying an AUTOMATIC1111-compatible <c>parameters</c> chunk and a
/// <c>mediastudio</c> chunk (spec, seed, model versions), and an asset row whose metadata is the spec with the seed used.
/// </summary>
internal static class GeneratedImage
{
    /// <summary>The asset metadata of one image: its single-image spec with the seed actually used, the kind and model versions.</summary>
    public static JsonObject Metadata(TextToImageSpec spec, long seed, IReadOnlyDictionary<string, string> versions)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var json = JsonNode.Parse((spec with { Seed = seed, Count = 1 }).ToJson())!.AsObject();
        json["kind"] = TextToImageHandler.KindName;
        json["models"] = new JsonObject(versions.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        return json;
    }

    /// <summary>Encodes the image as PNG with its settings in the text chunks other tools read.</summary>
    public static byte[] Png(RgbImage image, TextToImageSpec spec, long seed, IReadOnlyDictionary<string, string> versions)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var extra = spec.NegativeMode == TextToImageSpec.NegativeFromEmbedding
            ? [new("Negative embedding", spec.NegativeEmbedding!), .. spec.Refine ? [new KeyValuePair<string, string>("Negative embedding refined", "per prompt")] : Array.Empty<KeyValuePair<string, string>>()]
            : Array.Empty<KeyValuePair<string, string>>();
        var info = InfoText.Create(
            spec.Prompt, spec.NegativeMode == TextToImageSpec.NegativeFromPrompt ? spec.NegativePrompt : null, spec.Steps, A1111Samplers.ToA1111(spec.Sampler),
            spec.Guidance, seed, spec.Width, spec.Height, versions.TryGetValue("unet", out var unet) ? $"mediastudio-unet-{unet}" : "mediastudio", extra);
        using var specJson = JsonDocument.Parse((spec with { Seed = seed, Count = 1 }).ToJson());
        var record = new StudioImageRecord(TextToImageHandler.KindName, specJson.RootElement.Clone(), seed, versions);
        using var png = new MemoryStream();
        ImageSettings.EncodePng(image, png, info, record);
        return png.ToArray();
    }

    /// <summary>Encodes an image (a contact sheet or preview) as PNG without settings.</summary>
    public static byte[] Png(RgbImage image)
    {
        using var png = new MemoryStream();
        new SafeImageCodec().EncodePng(image, png);
        return png.ToArray();
    }

    /// <summary>Publishes one generated image under <paramref name="slot"/>.</summary>
    /// <returns>The image's asset row.</returns>
    public static async Task<Core.Assets.AssetRecord> PublishAsync(
        JobExecution execution, string slot, RgbImage image, TextToImageSpec spec, long seed, IReadOnlyDictionary<string, string> versions, CancellationToken cancellationToken)
    {
        using var png = new MemoryStream(Png(image, spec, seed, versions));
        return await execution.PublishOutputAsync(slot, png, "image/png",
            new OutputFacts(string.Create(CultureInfo.InvariantCulture, $"{seed}.png"), image.Width, image.Height, MetadataJson: Metadata(spec, seed, versions).ToJsonString()), cancellationToken);
    }
}
