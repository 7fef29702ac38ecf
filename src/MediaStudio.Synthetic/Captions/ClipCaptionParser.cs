using System.Text.RegularExpressions;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Captions;

/// <summary>Reads a clip caption (see <see cref="ClipCaptioner"/>) back into the scene and every object's motion.</summary>
/// <remarks>
/// Phases: (1) normalise case, hyphens and punctuation; (2) find every motion phrase (a move, scale or turn phrase,
/// chained by "and" or commas) and read its parts; (3) the text before each motion phrase is that object's clause,
/// whose region phrase names the object; (4) cut the motion phrases out and read the rest with <see cref="CaptionParser"/>.
/// </remarks>
public static partial class ClipCaptionParser
{
    private enum AtomKind
    {
        Move,
        Scale,
        Rotation,
    }

    private static readonly (string Phrase, AtomKind Kind, int A, int B)[] Atoms = BuildAtoms();
    private static readonly Regex MotionRegex = BuildMotionRegex();
    private static readonly (string Phrase, Region Region)[] RegionPhrases =
        [.. Phrases.Regions.SelectMany(kv => kv.Value.Select(p => (" " + Normalise(p) + " ", kv.Key))).OrderByDescending(e => e.Item1.Length)];

    /// <summary>Parses a clip caption.</summary>
    /// <exception cref="CaptionParseException">A part of the caption does not describe a clip of the world.</exception>
    public static ClipCaptionLabel Parse(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        var text = " " + Normalise(caption) + " ";
        var matches = MotionRegex.Matches(text);
        if (matches.Count == 0)
        {
            throw new CaptionParseException("the caption states no motion (e.g. 'moves to the left', 'stays in place')");
        }

        var motions = new Dictionary<Region, ObjectMotion>();
        var previousEnd = 0;
        foreach (Match match in matches)
        {
            var clause = text[previousEnd..match.Index] + " ";
            previousEnd = match.Index + match.Length;
            var region = RegionOf(clause);
            if (!motions.TryAdd(region, ReadMotion(match.Value)))
            {
                throw new CaptionParseException($"two motions for the object {region}");
            }
        }

        var rest = MotionRegex.Replace(text, " , ");
        var scene = CaptionParser.Parse(rest);
        var missing = scene.Objects.Where(o => !motions.ContainsKey(o.Region)).Select(o => o.Region).ToList();
        if (missing.Count > 0 || motions.Count != scene.Objects.Count)
        {
            throw new CaptionParseException($"every object needs exactly one motion; objects at {string.Join(", ", scene.Objects.Select(o => o.Region))}, motions at {string.Join(", ", motions.Keys)}");
        }

        return new ClipCaptionLabel(scene, motions);
    }

    private static Region RegionOf(string clause)
    {
        var padded = " " + clause + " ";
        var found = RegionPhrases.Where(e => padded.Contains(e.Phrase, StringComparison.Ordinal)).Select(e => e.Region).Distinct().ToList();
        return found.Count == 1
            ? found[0]
            : throw new CaptionParseException($"the clause '{clause.Trim()}' must name exactly one starting position, found {found.Count}");
    }

    private static ObjectMotion ReadMotion(string phrase)
    {
        var padded = " " + phrase.Trim() + " ";
        (int H, int V)? move = null;
        var scale = 0;
        var rotation = 0;
        foreach (var (atom, kind, a, b) in Atoms)
        {
            var key = " " + atom + " ";
            var at = padded.IndexOf(key, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            padded = padded.Remove(at, key.Length).Insert(at, " | ");
            switch (kind)
            {
                case AtomKind.Move when move is null:
                    move = (a, b);
                    break;
                case AtomKind.Scale when scale == 0:
                    scale = a;
                    break;
                case AtomKind.Rotation when rotation == 0:
                    rotation = a;
                    break;
                default:
                    throw new CaptionParseException($"the motion '{phrase.Trim()}' states its {kind} twice");
            }
        }

        var (h, v) = move ?? throw new CaptionParseException($"the motion '{phrase.Trim()}' does not say where the object goes");
        return new ObjectMotion(h, v, scale, rotation);
    }

    private static string Normalise(string s) =>
        WhitespaceRegex().Replace(
            s.ToLowerInvariant().Replace('-', ' ').Replace(",", " , ", StringComparison.Ordinal).Replace(";", " , ", StringComparison.Ordinal).Replace(".", " , ", StringComparison.Ordinal),
            " ").Trim();

    private static (string Phrase, AtomKind Kind, int A, int B)[] BuildAtoms()
    {
        var atoms = new List<(string, AtomKind, int, int)>();
        atoms.AddRange(MotionPhrases.Moves.SelectMany(kv => kv.Value.Select(p => (Normalise(p), AtomKind.Move, kv.Key.Horizontal, kv.Key.Vertical))));
        atoms.AddRange(MotionPhrases.Scales.SelectMany(kv => kv.Value.Select(p => (Normalise(p), AtomKind.Scale, kv.Key, 0))));
        atoms.AddRange(MotionPhrases.Rotations.SelectMany(kv => kv.Value.Select(p => (Normalise(p), AtomKind.Rotation, kv.Key, 0))));
        return [.. atoms.OrderByDescending(a => a.Item1.Length)];
    }

    private static Regex BuildMotionRegex()
    {
        var atom = "(?:" + string.Join('|', Atoms.Select(a => Regex.Escape(a.Phrase))) + ")";
        return new Regex($@"(?<= ){atom}(?:(?: ,| and| , and) {atom})*(?= )", RegexOptions.CultureInvariant);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRegex();
}
