namespace MediaStudio.Media.Images.Metadata;

/// <summary>The settings a PNG carries: ours (<see cref="StudioImageRecord"/>), A1111's infotext, or both.</summary>
/// <param name="Studio">The <c>mediastudio</c> chunk, when present and readable.</param>
/// <param name="Info">The <c>parameters</c> chunk, when present.</param>
public sealed record ImageSettings(StudioImageRecord? Studio, InfoText? Info)
{
    /// <summary>Gets whether the image carried any settings.</summary>
    public bool IsEmpty => Studio is null && Info is null;

    /// <summary>Writes a generated image as PNG with both chunks: A1111's <c>parameters</c> first, then <c>mediastudio</c>.</summary>
    public static void EncodePng(RgbImage image, Stream destination, InfoText info, StudioImageRecord studio)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(studio);
        PngTextChunks.EncodePng(image, destination, [new(InfoText.Keyword, info.ToString()), new(StudioImageRecord.Keyword, studio.ToJson())]);
    }

    /// <summary>Reads the settings from a PNG stream; unreadable chunks count as absent.</summary>
    /// <exception cref="MediaFormatException">The bytes are not a PNG or its chunk list is damaged.</exception>
    public static ImageSettings Read(Stream png)
    {
        var texts = PngTextChunks.Read(png);
        StudioImageRecord? studio = null;
        if (texts.FirstOrDefault(t => t.Keyword == StudioImageRecord.Keyword) is { } ours)
        {
            try
            {
                studio = StudioImageRecord.Parse(ours.Text);
            }
            catch (System.Text.Json.JsonException)
            {
                // a foreign or damaged chunk under our keyword: fall back to the infotext
            }
        }

        var info = texts.FirstOrDefault(t => t.Keyword == InfoText.Keyword) is { } parameters && !string.IsNullOrWhiteSpace(parameters.Text)
            ? InfoText.Parse(parameters.Text)
            : null;
        return new ImageSettings(studio, info);
    }
}
