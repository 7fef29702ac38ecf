using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Scenes;

namespace MediaStudio.Diffusion.Training;

/// <summary>Prompts and images from the procedural world for training and evaluating text to image.</summary>
/// <remarks>
/// Training draws scene seeds from <c>TrainingSeed.ForStep</c> (below 2^62). Held-out evaluation prompts use seeds from
/// <see cref="HeldOutSeedBase"/>, inside the range no training recipe draws from.
/// </remarks>
public static class TextToImageData
{
    /// <summary>First seed of the held-out prompts (2^62 + 5e7, apart from the recognizer's own evaluation seeds).</summary>
    public const long HeldOutSeedBase = (1L << 62) + 50_000_000;

    private static readonly SceneSamplerOptions SingleObject = new() { MaxObjects = 1 };

    /// <summary>Samples one scene for training: a single object with probability <paramref name="singleObjectRate"/>,
    /// degraded (and captioned so: "a blurry photo of ...") with probability <paramref name="degradationRate"/>.</summary>
    public static SceneSample Scene(long seed, double singleObjectRate, double degradationRate = 0)
    {
        // the choice uses a different stream of the same seed than the scene itself
        var single = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL) % 10_000UL < (ulong)(singleObjectRate * 10_000);
        return SceneSampler.Sample(seed, new SceneSamplerOptions { MaxObjects = single ? 1 : 3, DegradationRate = degradationRate });
    }

    /// <summary>Renders a scene and writes one caption for it.</summary>
    public static (RgbImage Image, string Caption) Example(SceneSample scene, int size = 64) =>
        (SceneRendering.Render(scene, size, size), Caption(scene));

    /// <summary>The one caption a training scene is drawn with.</summary>
    public static string Caption(SceneSample scene)
    {
        ArgumentNullException.ThrowIfNull(scene);
        return Captioner.Captions(scene.Label, scene.Seed, 1)[0];
    }

    /// <summary>The held-out prompts: <paramref name="count"/> scenes with their labels and one caption each.</summary>
    /// <param name="count">Number of prompts.</param>
    /// <param name="singleObject">True for one object per scene, false for two or three.</param>
    public static IReadOnlyList<(SceneLabel Label, string Prompt)> HeldOutPrompts(int count, bool singleObject)
    {
        var prompts = new List<(SceneLabel, string)>(count);
        for (var seed = HeldOutSeedBase + (singleObject ? 0 : 1_000_000); prompts.Count < count; seed++)
        {
            var scene = SceneSampler.Sample(seed, singleObject ? SingleObject : null);
            if (!singleObject && scene.Label.Objects.Count < 2)
            {
                continue;
            }

            prompts.Add((scene.Label, Captioner.Captions(scene.Label, seed, 1)[0]));
        }

        return prompts;
    }
}
