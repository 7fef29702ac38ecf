using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Scenes;

namespace MediaStudio.Synthetic.Recognition;

/// <summary>How well an image follows a structured prompt, as read by the recognizer.</summary>
/// <param name="PerAttribute">Fraction correct per attribute: background_kind, background_color, background_second_color
/// (non-flat prompts only), object_count, region (an object seen where the prompt puts it), and shape, color, size, texture
/// over the prompt's objects.</param>
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
    /// <param name="prompt">The structured prompt.</param>
    /// <param name="recognized">What the recognizer read.</param>
    /// <param name="anyPlace">When true, a prompt object with nothing seen in its region is judged against a seen object
    /// left over elsewhere, and region is not scored: how well the objects are drawn, wherever they are placed.</param>
    public static AdherenceScore Compare(SceneLabel prompt, SceneLabel recognized, bool anyPlace = false)
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

        var matches = Match(prompt.Objects, recognized.Objects, anyPlace);
        if (!anyPlace)
        {
            scores["region"] = matches.Average(m => m.Seen is null ? 0.0 : 1.0);
        }

        scores["shape"] = matches.Average(m => m.Seen?.Shape == m.Prompt.Shape ? 1.0 : 0.0);
        scores["color"] = matches.Average(m => m.Seen?.Color == m.Prompt.Color ? 1.0 : 0.0);
        scores["size"] = matches.Average(m => m.Seen?.Size == m.Prompt.Size ? 1.0 : 0.0);
        scores["texture"] = matches.Average(m => m.Seen?.Texture == m.Prompt.Texture ? 1.0 : 0.0);
        return new AdherenceScore(scores, scores.Values.All(v => v >= 1), recognized);
    }

    // Each prompt object takes the seen object in its region; with anyPlace, those left without one then take the seen
    // objects left over, in the recognizer's order.
    private static List<(ObjectSpec Prompt, ObjectSpec? Seen)> Match(IReadOnlyList<ObjectSpec> prompt, IReadOnlyList<ObjectSpec> seen, bool anyPlace)
    {
        var matches = prompt.Select(o => (Prompt: o, Seen: seen.FirstOrDefault(r => r.Region == o.Region))).ToList();
        if (anyPlace)
        {
            var left = new Queue<ObjectSpec>(seen.Where(r => prompt.All(o => o.Region != r.Region)));
            for (var i = 0; i < matches.Count; i++)
            {
                if (matches[i].Seen is null && left.Count > 0)
                {
                    matches[i] = (matches[i].Prompt, left.Dequeue());
                }
            }
        }

        return matches;
    }
}
