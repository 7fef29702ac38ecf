using MediaStudio.Media.Images;
using MediaStudio.Media.Images.Metadata;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace MediaStudio.Media.Tests.Images.Metadata;

public sealed class PngTextChunksTests
{
    [Fact]
    public void EncodePng_LongLatinText_StaysUncompressedTextChunk()
    {
        var longPrompt = string.Join(", ", Enumerable.Range(0, 300).Select(i => $"detail {i}")); // > 1024 characters

        var texts = PngTextChunks.Read(Encode(Text("parameters", longPrompt)));

        var chunk = Assert.Single(texts);
        Assert.True(longPrompt.Length > 1024);
        Assert.Equal(("parameters", longPrompt, "tEXt"), (chunk.Keyword, chunk.Text, chunk.ChunkType));
    }

    [Fact]
    public void EncodePng_NonLatinText_IsUncompressedUtf8InternationalChunk()
    {
        const string Prompt = "a red fox 🦊 in snow, 雪の中の狐";

        var chunk = Assert.Single(PngTextChunks.Read(Encode(Text("parameters", Prompt))));

        Assert.Equal((Prompt, "iTXt"), (chunk.Text, chunk.ChunkType));
    }

    [Fact]
    public void Read_ZtxtWrittenByImageSharpDefaults_IsDecompressed()
    {
        // ImageSharp's default threshold (1024) compresses long text, as other tools may do
        var text = new string('x', 3000) + " end";
        using var image = Image.LoadPixelData<Rgb24>(TestFrames.Gradient(8, 8, 0).Pixels, 8, 8);
        image.Metadata.GetPngMetadata().TextData.Add(new PngTextData("parameters", text, string.Empty, string.Empty));
        using var png = new MemoryStream();
        image.Save(png, new PngEncoder());

        var chunk = Assert.Single(PngTextChunks.Read(png.ToArray()));

        Assert.Equal((text, "zTXt"), (chunk.Text, chunk.ChunkType));
    }

    [Fact]
    public void Strip_PngWithText_RemovesTextAndKeepsIdenticalPixels()
    {
        var image = TestFrames.Gradient(40, 24, 2);
        var png = EncodeImage(image, Text("parameters", "a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7"), Text("mediastudio", "{}"));
        using var stripped = new MemoryStream();

        PngTextChunks.Strip(new MemoryStream(png), stripped);

        Assert.Empty(PngTextChunks.Read(stripped.ToArray()));
        Assert.True(stripped.Length < png.Length);
        Assert.Equal(image.Pixels, new SafeImageCodec().Decode(stripped.ToArray()).Pixels); // CRCs are valid: the strict decoder accepts it
    }

    [Fact]
    public void Read_NotAPngOrTruncated_ThrowsClearError()
    {
        var png = Encode(Text("parameters", "x"));

        Assert.Contains("not a PNG", Assert.Throws<MediaFormatException>(() => PngTextChunks.Read("GIF89a.........."u8.ToArray())).Message, StringComparison.Ordinal);
        Assert.Contains("truncated", Assert.Throws<MediaFormatException>(() => PngTextChunks.Read(png[..(png.Length - 20)])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImageSettings_StudioPng_RoundTripsBothChunks()
    {
        using var specDoc = System.Text.Json.JsonDocument.Parse("""{"prompt":"a red circle","steps":12,"seed":null}""");
        var info = InfoText.Create("a red circle", "blurry", 12, "DPM++ 2M", 4.5, 77, 64, 64, "tiny-unet");
        var studio = new StudioImageRecord("text-to-image", specDoc.RootElement.Clone(), 77, new Dictionary<string, string> { ["tiny-unet"] = "3f2a9c" });
        using var png = new MemoryStream();
        ImageSettings.EncodePng(TestFrames.Gradient(16, 16, 1), png, info, studio);
        png.Position = 0;

        var settings = ImageSettings.Read(png);

        Assert.Equal("a red circle\nNegative prompt: blurry\nSteps: 12, Sampler: DPM++ 2M, CFG scale: 4.5, Seed: 77, Size: 64x64, Model: tiny-unet", settings.Info!.ToString());
        Assert.Equal(77, settings.Studio!.Seed);
        Assert.Equal(12, settings.Studio.Spec.GetProperty("steps").GetInt32());
        Assert.Equal("3f2a9c", settings.Studio.Models["tiny-unet"]);
    }

    [Fact]
    public void ImageSettings_DamagedStudioChunk_FallsBackToInfoText()
    {
        var png = Encode(Text("mediastudio", "{not json"), Text("parameters", "a dog\nSteps: 5, Sampler: DDIM, CFG scale: 3, Seed: 9"));

        var settings = ImageSettings.Read(new MemoryStream(png));

        Assert.Null(settings.Studio);
        Assert.Equal("a dog", settings.Info!.Prompt);
    }

    private static KeyValuePair<string, string> Text(string keyword, string text) => new(keyword, text);

    private static byte[] Encode(params KeyValuePair<string, string>[] texts) => EncodeImage(TestFrames.Gradient(8, 8, 0), texts);

    private static byte[] EncodeImage(RgbImage image, params KeyValuePair<string, string>[] texts)
    {
        using var png = new MemoryStream();
        PngTextChunks.EncodePng(image, png, texts);
        return png.ToArray();
    }
}
