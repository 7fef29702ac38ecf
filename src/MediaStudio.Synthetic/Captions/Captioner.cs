using System.Globalization;
using System.Text;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Captions;

/// <summary>Writes varied natural-English captions from a scene label (synonyms, word order, articles, framings).</summary>
/// <remarks>Every caption states every labelled attribute, so <see cref="CaptionParser"/> can read the label back.</remarks>
public static class Captioner
{
    /// <summary>The words that set objects on their background ("on", "against", ...).</summary>
    internal static readonly string[] Prepositions = ["on", "against", "over", "in front of"];

    /// <summary>Returns up to <paramref name="count"/> distinct captions for one label.</summary>
    public static IReadOnlyList<string> Captions(SceneLabel label, long seed, int count = 4)
    {
        ArgumentNullException.ThrowIfNull(label);
        return Distinct(rng => Caption(label, rng), WorldRandom.For(seed, "captions"), count);
    }

    /// <summary>Draws captions until <paramref name="count"/> distinct ones are found, or 8 tries per caption are spent.</summary>
    internal static IReadOnlyList<string> Distinct(Func<WorldRandom, string> caption, WorldRandom rng, int count)
    {
        var result = new List<string>();
        for (var attempt = 0; attempt < count * 8 && result.Count < count; attempt++)
        {
            var next = caption(rng);
            if (!result.Contains(next))
            {
                result.Add(next);
            }
        }

        return result;
    }

    /// <summary>Writes one caption with choices drawn from <paramref name="rng"/>.</summary>
    /// <param name="label">The scene.</param>
    /// <param name="rng">Draws the wording.</param>
    /// <param name="order">The order the objects are listed in.</param>
    public static string Caption(SceneLabel label, WorldRandom rng, ObjectOrder order = ObjectOrder.Shuffled)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(rng);

        // 0. at most one degradation opens the caption ("a blurry photo of ..."); it then needs a plain noun phrase
        var opening = label.Degradations.Count > 0 && rng.NextDouble() < 0.5 ? label.Degradations[rng.Next(label.Degradations.Count)] : null;

        // 1. the objects, as a list or as a relation
        var prefixPositions = opening is null && label.Relation is null && rng.NextDouble() < 0.3;
        string objects;
        if (label.Relation is { } relation)
        {
            var subject = label.Objects.Single(o => o.Region == relation.Subject);
            var reference = label.Objects.Single(o => o.Region == relation.Reference);
            objects = $"{ObjectPhrase(subject, rng)} {rng.Pick(Phrases.Relations[relation.Kind])} {ObjectPhrase(reference, rng)}";
        }
        else
        {
            var phrases = ObjectOrdering.Arrange(label.Objects, o => o.Region, order, rng).Select(o => prefixPositions
                ? $"{rng.Pick(Phrases.Regions[o.Region])}, {ObjectPhrase(o, rng)}"
                : $"{ObjectPhrase(o, rng)} {rng.Pick(Phrases.Regions[o.Region])}").ToList();
            objects = JoinList(phrases, prefixPositions ? "; " : ", ", rng);
        }

        // 2. the background, before or after the objects
        var bg = label.Background;
        var desc = string.Format(
            CultureInfo.InvariantCulture,
            rng.Pick(Phrases.Backgrounds[bg.Kind]),
            rng.Pick(Phrases.Colors[bg.Color]),
            bg.SecondColor is { } second ? rng.Pick(Phrases.Colors[second]) : string.Empty);
        var noun = rng.NextDouble() < 0.75 ? "background" : "backdrop";
        string body;
        if (!prefixPositions && rng.NextDouble() < 0.3)
        {
            body = $"{Article(desc)} {desc} {noun} with {objects}";
        }
        else
        {
            var preposition = rng.Pick(Prepositions);
            var framing = opening is null && !prefixPositions && rng.NextDouble() < 0.2 ? (label.Objects.Count == 1 ? "there is " : "there are ") : string.Empty;
            body = $"{framing}{objects}{(prefixPositions ? "," : string.Empty)} {preposition} {Article(desc)} {desc} {noun}";
        }

        // 3. degradations: the opening one, then the others close the caption
        var text = new StringBuilder();
        var suffixes = new List<string>();
        foreach (var d in label.Degradations)
        {
            var cast = d.CastColor is { } c ? rng.Pick(Phrases.Colors[c]) : string.Empty;
            if (d == opening)
            {
                text.Insert(0, string.Format(CultureInfo.InvariantCulture, rng.Pick(Phrases.DegradationPrefixes[d.Kind]), cast) + " ");
            }
            else
            {
                suffixes.Add(string.Format(CultureInfo.InvariantCulture, rng.Pick(Phrases.DegradationSuffixes[d.Kind]), cast));
            }
        }

        text.Append(body);
        foreach (var suffix in suffixes)
        {
            text.Append(", ").Append(suffix);
        }

        var caption = text.ToString();
        return char.ToUpperInvariant(caption[0]) + caption[1..];
    }

    /// <summary>Writes one object's noun phrase with its article, size, colour and texture (no position).</summary>
    internal static string ObjectPhrase(ObjectSpec o, WorldRandom rng)
    {
        var size = rng.Pick(Phrases.Sizes[o.Size]);
        var color = rng.Pick(Phrases.Colors[o.Color]);
        var shape = rng.Pick(Phrases.Shapes[o.Shape]);
        string phrase;
        var form = rng.Next(3);
        if (o.Texture == Texture.None)
        {
            phrase = form == 2 ? $"{size} {shape} in {color}" : $"{size} {color} {shape}";
        }
        else
        {
            phrase = form switch
            {
                0 => $"{size} {rng.Pick(Phrases.TextureAdjectives[o.Texture])} {color} {shape}",
                1 => $"{size} {color} {shape} {rng.Pick(Phrases.TextureSuffixes[o.Texture])}",
                _ => $"{size} {shape} in {color} {rng.Pick(Phrases.TextureSuffixes[o.Texture])}",
            };
        }

        return $"{Article(phrase)} {phrase}";
    }

    private static string JoinList(List<string> items, string separator, WorldRandom rng) => items.Count switch
    {
        1 => items[0],
        2 => $"{items[0]} and {items[1]}",
        _ => string.Join(separator, items.Take(items.Count - 1)) + (rng.NextDouble() < 0.5 ? separator.TrimEnd() : string.Empty) + $" and {items[^1]}",
    };

    internal static string Article(string nextWords) => "aeiou".Contains(nextWords[0], StringComparison.Ordinal) ? "an" : "a";
}
