using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Scenes;

namespace MediaStudio.Synthetic.Recognition;

/// <summary>How well an image follows a structured prompt, as read by the recognizer.</summary>
/// <param name="PerAttribute">Fraction correct per attribute: background_kind, background_color, background_second_color
/// (non-flat prompts only), object_count, and shape, color, size, texture over the prompt's objects.</param>
/// <param name="AllCorrect">True when every attribute is fully correct.</param>
/// <param name="Recognized">What the recognizer read from the image.</param>
public sealed record AdherenceScore(IReadOnlyDictionary<string, double> PerAttribute, bool AllCorrect, SceneLabel Recognized);

/// <summary>Scores generated images against structured prompts with the scene recognizer.</summary>
/// <remarks>The scores are bounded by the recognizer's own accuracy (see <c>mediastudio eval recognizer</c>).</remarks>
public static class PromptAdherence
{
    /// <summary>Scores one image against one structured prompt.</summary>
    public static AdherenceScore Score(SceneRecognizer recognizer, RgbImage image, SceneLabel prompt)
    {
        ArgumentNullException.ThrowIfNull(recognizer);
        ArgumentNullException.ThrowIfNull(image);
        return Score(recognizer, [image], [prompt])[0];
    }

    /// <summary>Scores a batch of images against their prompts (one prompt per image).</summary>
    public static IReadOnlyList<AdherenceScore> Score(SceneRecognizer recognizer, IReadOnlyList<RgbImage> images, IReadOnlyList<SceneLabel> prompts)
    {
        ArgumentNullException.ThrowIfNull(recognizer);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(prompts);
        if (images.Count != prompts.Count)
        {
            throw new ArgumentException($"{images.Count} images but {prompts.Count} prompts", nameof(prompts));
        }

        var recognized = recognizer.Recognize(images);
        return [.. recognized.Select((r, i) => Compare(prompts[i], r))];
    }

    /// <summary>Compares a prompt with a recognized label, attribute by attribute.</summary>
    public static AdherenceScore Compare(SceneLabel prompt, SceneLabel recognized)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(recognized);
        var colours = prompt.Background.MatchColours(recognized.Background);
        var scores = new Dictionary<string, double>
        {
            ["background_kind"] = prompt.Background.Kind == recognized.Background.Kind ? 1 : 0,
            ["background_color"] = colours.First ? 1 : 0,
            ["object_count"] = prompt.Objects.Count == recognized.Objects.Count ? 1 : 0,
        };
        if (prompt.Background.SecondColor is not null)
        {
            scores["background_second_color"] = colours.Second ? 1 : 0;
        }

        var matches = prompt.Objects.Select(o => (Prompt: o, Seen: recognized.Objects.FirstOrDefault(r => r.Region == o.Region))).ToList();
        scores["shape"] = matches.Average(m => m.Seen?.Shape == m.Prompt.Shape ? 1.0 : 0.0);
        scores["color"] = matches.Average(m => m.Seen?.Color == m.Prompt.Color ? 1.0 : 0.0);
        scores["size"] = matches.Average(m => m.Seen?.Size == m.Prompt.Size ? 1.0 : 0.0);
        scores["texture"] = matches.Average(m => m.Seen?.Texture == m.Prompt.Texture ? 1.0 : 0.0);
        return new AdherenceScore(scores, scores.Values.All(v => v >= 1), recognized);
    }
}
