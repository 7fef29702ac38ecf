using MediaStudio.Diffusion.Clip;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Clip;

/// <summary>Tiny seeded CLIP models and batches shared by the CLIP and reward tests.</summary>
internal static class ClipFixtures
{
    /// <summary>A tokenizer of 28 letter-only words ("ba", "bb", ...) with context 12: 32 ids in all.</summary>
    public static ClipTokenizer TinyTokenizer() =>
        new(Enumerable.Range(0, 28).Select(i => $"{(char)('b' + (i / 26))}{(char)('a' + (i % 26))}"), 12);

    /// <summary>A tiny CLIP (width 16, 16x16 images) with its tokenizer, seeded.</summary>
    public static ClipModel TinyModel(long seed = 3, int attributeLogits = 0)
    {
        random.manual_seed(seed);
        var tokenizer = TinyTokenizer();
        return ClipModel.FromConfig(ClipConfig.Tiny(tokenizer.VocabSize, tokenizer.ContextLength, attributeLogits), tokenizer, new Generator((ulong)seed));
    }

    /// <summary>Seeded images (B, 3, 16, 16) in [-1, 1] and prompts of two tiny words each.</summary>
    public static (Tensor Images, string[] Prompts) Batch(int count, long seed = 5)
    {
        var images = rand([count, 3, 16, 16], generator: new Generator((ulong)seed)) * 2 - 1;
        var prompts = Enumerable.Range(0, count).Select(i => $"b{(char)('a' + i)} ba{(char)('a' + (i * 3 % 26))}").ToArray();
        return (images, prompts);
    }

    /// <summary>A fresh temporary folder.</summary>
    public static string TempFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mediastudio-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }
}
