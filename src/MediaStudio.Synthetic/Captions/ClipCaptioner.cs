using System.Globalization;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Captions;

/// <summary>Writes captions for clips: each object with its starting position and how it moves, grows, shrinks or turns.</summary>
/// <remarks>
/// Shape of a caption: one clause per object, "{object} {start region} {motion}", where the motion is a move phrase
/// followed by scale and rotation phrases ("moves to the right and grows", "stays in place, shrinks and turns
/// clockwise"); clauses are joined by "; " or ", while ", and the background opens or closes the caption. Sizes and
/// regions are those of the first frame. <see cref="ClipCaptionParser"/> reads every such caption back.
/// </remarks>
public static class ClipCaptioner
{
    /// <summary>Returns the motion of every object of a clip, in label order.</summary>
    public static IReadOnlyList<ObjectMotion> Motions(ClipSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return [.. Enumerable.Range(0, spec.Scene.Label.Objects.Count).Select(k => ObjectMotion.From(spec, k))];
    }

    /// <summary>Returns up to <paramref name="count"/> distinct captions for one clip.</summary>
    public static IReadOnlyList<string> Captions(ClipSpec spec, long seed, int count = 4)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Captioner.Distinct(rng => Caption(spec, rng), WorldRandom.For(seed, "clip-captions"), count);
    }

    /// <summary>Writes one caption with choices drawn from <paramref name="rng"/>.</summary>
    /// <param name="spec">The clip.</param>
    /// <param name="rng">Draws the wording.</param>
    /// <param name="order">The order the objects are listed in (by starting region).</param>
    public static string Caption(ClipSpec spec, WorldRandom rng, ObjectOrder order = ObjectOrder.Shuffled)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(rng);
        var label = spec.Scene.Label;
        var motions = Motions(spec);

        // 1. one clause per object, in the given order
        var clauses = ObjectOrdering.Arrange(Enumerable.Range(0, label.Objects.Count), k => label.Objects[k].Region, order, rng).Select(k =>
        {
            var o = label.Objects[k];
            return $"{Captioner.ObjectPhrase(o, rng)} {rng.Pick(Phrases.Regions[o.Region])} {MotionPhrase(motions[k], rng)}";
        }).ToList();
        var joiner = rng.NextDouble() < 0.5 ? "; " : ", while ";
        var objects = string.Join(joiner, clauses);

        // 2. the background opens or closes the caption
        var bg = label.Background;
        var desc = string.Format(
            CultureInfo.InvariantCulture,
            rng.Pick(Phrases.Backgrounds[bg.Kind]),
            rng.Pick(Phrases.Colors[bg.Color]),
            bg.SecondColor is { } second ? rng.Pick(Phrases.Colors[second]) : string.Empty);
        var noun = rng.NextDouble() < 0.75 ? "background" : "backdrop";
        var background = $"{rng.Pick(Captioner.Prepositions)} {Captioner.Article(desc)} {desc} {noun}";
        var caption = rng.NextDouble() < 0.3 ? $"{background}, {objects}" : $"{objects}, {background}";
        return char.ToUpperInvariant(caption[0]) + caption[1..];
    }

    /// <summary>Writes the verb phrase of one motion: the move first, then growth and turning in a random order.</summary>
    public static string MotionPhrase(ObjectMotion motion, WorldRandom rng)
    {
        ArgumentNullException.ThrowIfNull(motion);
        ArgumentNullException.ThrowIfNull(rng);
        var extras = new List<string>();
        if (motion.Scale != 0)
        {
            extras.Add(rng.Pick(MotionPhrases.Scales[motion.Scale]));
        }

        if (motion.Rotation != 0)
        {
            extras.Add(rng.Pick(MotionPhrases.Rotations[motion.Rotation]));
        }

        rng.Shuffle(extras);
        var atoms = new List<string> { rng.Pick(MotionPhrases.Moves[(motion.Horizontal, motion.Vertical)]) };
        atoms.AddRange(extras);
        return atoms.Count switch
        {
            1 => atoms[0],
            2 => $"{atoms[0]} and {atoms[1]}",
            _ => $"{string.Join(", ", atoms.Take(atoms.Count - 1))} and {atoms[^1]}",
        };
    }
}
