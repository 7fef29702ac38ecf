using System.Globalization;
using System.Text.Json.Nodes;
using MediaStudio.Jobs.Execution;
using MediaStudio.Media.Images;

namespace MediaStudio.Jobs.Generation;

/// <summary>How a generated image leaves a job: a PNG asset whose row carries the spec, seed and model versions.</summary>
internal static class GeneratedImage
{
    /// <summary>The metadata of one image: its single-image spec with the seed actually used, the kind and model versions.</summary>
    public static JsonObject Metadata(TextToImageSpec spec, long seed, IReadOnlyDictionary<string, string> versions)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var json = JsonNode.Parse((spec with { Seed = seed, Count = 1 }).ToJson())!.AsObject();
        json["kind"] = TextToImageHandler.KindName;
        json["models"] = new JsonObject(versions.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        return json;
    }

    /// <summary>Encodes the image as PNG.</summary>
    public static byte[] Png(RgbImage image)
    {
        using var png = new MemoryStream();
        new SafeImageCodec().EncodePng(image, png);
        return png.ToArray();
    }

    /// <summary>Publishes the image under <paramref name="slot"/>.</summary>
    public static async Task PublishAsync(JobExecution execution, string slot, RgbImage image, JsonObject metadata, long seed, CancellationToken cancellationToken)
    {
        using var png = new MemoryStream(Png(image));
        await execution.PublishOutputAsync(slot, png, "image/png",
            new OutputFacts(string.Create(CultureInfo.InvariantCulture, $"{seed}.png"), image.Width, image.Height, MetadataJson: metadata.ToJsonString()), cancellationToken);
    }
}
