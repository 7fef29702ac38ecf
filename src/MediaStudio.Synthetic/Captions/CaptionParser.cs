using System.Text.RegularExpressions;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Captions;

/// <summary>Reads a caption in the world's English back into a <see cref="SceneLabel"/>.</summary>
/// <remarks>
/// Phases: (1) normalise case, hyphens and punctuation; (2) cut out degradation phrases; (3) cut out the
/// background phrase; (4) turn the rest into attribute tokens by longest phrase match and group them into
/// objects, split at separators ("and", commas) and relation words.
/// </remarks>
public static partial class CaptionParser
{
    private enum TokenKind
    {
        Color,
        Shape,
        Size,
        Texture,
        Region,
        Relation,
        Separator,
    }

    private readonly record struct Token(TokenKind Kind, int Value);

    private static readonly (string[] Words, Token Token)[] Vocabulary = BuildVocabulary();
    private static readonly string ColorAlternation = string.Join('|', Phrases.Colors.Values.SelectMany(v => v).Select(Normalise).OrderByDescending(w => w.Length));

    /// <summary>Parses a caption.</summary>
    /// <exception cref="CaptionParseException">A part of the caption does not describe the world.</exception>
    public static SceneLabel Parse(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        var text = " " + Normalise(caption) + " ";

        // 2. degradations (prefixes first: "a blurred picture of" contains the suffix "blurred")
        var degradations = new List<DegradationSpec>();
        foreach (var (kind, phrases) in Phrases.DegradationPrefixes)
        {
            text = CutPhrases(text, kind, phrases, prefix: true, degradations);
        }

        foreach (var (kind, phrases) in Phrases.DegradationSuffixes)
        {
            text = CutPhrases(text, kind, phrases, prefix: false, degradations);
        }

        // 3. background
        var background = CutBackground(ref text);

        // 4. objects
        var (objects, relation) = ParseObjects(Tokenise(text));
        var label = new SceneLabel(background, objects, relation, degradations).Canonical();
        try
        {
            label.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CaptionParseException($"the caption describes an impossible scene: {e.Message}", e);
        }

        return label;
    }

    private static string Normalise(string s) =>
        WhitespaceRegex().Replace(s.ToLowerInvariant().Replace('-', ' ').Replace(",", " , ", StringComparison.Ordinal).Replace(";", " , ", StringComparison.Ordinal).Replace(".", " ", StringComparison.Ordinal), " ").Trim();

    private static string CutPhrases(string text, DegradationKind kind, string[] phrases, bool prefix, List<DegradationSpec> found)
    {
        foreach (var phrase in phrases.Select(Normalise).OrderByDescending(p => p.Length))
        {
            var pattern = Regex.Escape(phrase).Replace(@"\{0}", $"(?<c>{ColorAlternation})", StringComparison.Ordinal);
            var regex = new Regex(prefix ? $@"^ {pattern} " : $@"(?: ,| and)? {pattern}(?= |$)", RegexOptions.CultureInvariant);
            var match = regex.Match(text);
            if (!match.Success)
            {
                continue;
            }

            if (found.Any(d => d.Kind == kind))
            {
                throw new CaptionParseException($"the degradation '{kind}' is named twice");
            }

            NamedColor? cast = match.Groups["c"].Success ? ColorOf(match.Groups["c"].Value) : null;
            found.Add(new DegradationSpec(kind, cast));
            return text.Remove(match.Index, match.Length).Insert(match.Index, " ");
        }

        return text;
    }

    private static BackgroundSpec CutBackground(ref string text)
    {
        var words = string.Join('|', Phrases.BackgroundKindWords.Keys.Concat(["and", "to"]).Append(ColorAlternation));
        var after = new Regex($@" (?:on|against|over|in front of) an? (?<d>(?:(?:{words}) )+)(?:background|backdrop)(?= |$)", RegexOptions.CultureInvariant);
        var before = new Regex($@"^ (?:there is )?an? (?<d>(?:(?:{words}) )+)(?:background|backdrop) with ", RegexOptions.CultureInvariant);
        var match = before.Match(text);
        if (!match.Success)
        {
            match = after.Match(text);
        }

        if (!match.Success)
        {
            throw new CaptionParseException("the caption names no background (e.g. 'on a plain white background')");
        }

        text = text.Remove(match.Index, match.Length).Insert(match.Index, " ");
        var desc = " " + match.Groups["d"].Value;
        var kinds = Phrases.BackgroundKindWords.Where(kv => desc.Contains($" {kv.Key} ", StringComparison.Ordinal)).Select(kv => kv.Value).Distinct().ToList();
        if (kinds.Count != 1)
        {
            throw new CaptionParseException($"the background '{desc.Trim()}' must name exactly one kind (plain, gradient, striped, checkered, mottled...)");
        }

        var colors = Regex.Matches(desc, $@"(?<= )(?:{ColorAlternation})(?= )").Select(m => ColorOf(m.Value)).ToList();
        var kind = kinds[0];
        var expected = kind == BackgroundKind.Flat ? 1 : 2;
        if (colors.Count != expected)
        {
            throw new CaptionParseException($"a {kind} background names {expected} colour(s), found {colors.Count} in '{desc.Trim()}'");
        }

        return new BackgroundSpec(kind, colors[0], kind == BackgroundKind.Flat ? null : colors[1]);
    }

    private static List<Token> Tokenise(string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var tokens = new List<Token>();
        for (var i = 0; i < words.Length;)
        {
            var matched = false;
            foreach (var (phrase, token) in Vocabulary)
            {
                if (i + phrase.Length <= words.Length && phrase.AsSpan().SequenceEqual(words.AsSpan(i, phrase.Length)))
                {
                    tokens.Add(token);
                    i += phrase.Length;
                    matched = true;
                    break;
                }
            }

            if (!matched)
            {
                i++; // articles, "there are", "in": carry no attribute
            }
        }

        return tokens;
    }

    private static (List<ObjectSpec> Objects, RelationSpec? Relation) ParseObjects(List<Token> tokens)
    {
        var segments = new List<List<Token>> { new() };
        foreach (var token in tokens)
        {
            if (token.Kind == TokenKind.Separator)
            {
                segments.Add([]);
            }
            else
            {
                segments[^1].Add(token);
            }
        }

        var objects = new List<ObjectSpec>();
        RelationSpec? relation = null;
        Region? pendingRegion = null;
        foreach (var segment in segments.Where(s => s.Count > 0))
        {
            var relationIndex = segment.FindIndex(t => t.Kind == TokenKind.Relation);
            if (relationIndex >= 0)
            {
                var kind = (RelationKind)segment[relationIndex].Value;
                var (subjectRegion, referenceRegion) = RelationSpec.RegionsFor(kind);
                objects.Add(ObjectFrom(segment[..relationIndex], subjectRegion));
                objects.Add(ObjectFrom(segment[(relationIndex + 1)..], referenceRegion));
                relation = relation is null
                    ? new RelationSpec(kind, subjectRegion, referenceRegion)
                    : throw new CaptionParseException("only one relation per caption is supported");
                continue;
            }

            if (!segment.Any(t => t.Kind == TokenKind.Shape))
            {
                if (segment is [{ Kind: TokenKind.Region } only])
                {
                    pendingRegion = (Region)only.Value;
                    continue;
                }

                throw new CaptionParseException($"words without a shape: {string.Join(' ', segment.Select(Describe))}");
            }

            objects.Add(ObjectFrom(segment, pendingRegion));
            pendingRegion = null;
        }

        if (objects.Count == 0)
        {
            throw new CaptionParseException("the caption names no object (circle, square, triangle, star, ring or heart)");
        }

        return (objects, relation);
    }

    private static ObjectSpec ObjectFrom(List<Token> tokens, Region? region)
    {
        int? Single(TokenKind kind)
        {
            var values = tokens.Where(t => t.Kind == kind).Select(t => t.Value).Distinct().ToList();
            return values.Count switch
            {
                0 => null,
                1 => values[0],
                _ => throw new CaptionParseException($"one object has several {kind} words: {string.Join(' ', tokens.Select(Describe))}"),
            };
        }

        var described = string.Join(' ', tokens.Select(Describe));
        var shape = Single(TokenKind.Shape) ?? throw new CaptionParseException($"no shape in '{described}'");
        var color = Single(TokenKind.Color) ?? throw new CaptionParseException($"no colour in '{described}'");
        var size = Single(TokenKind.Size) ?? throw new CaptionParseException($"no size in '{described}'");
        var explicitRegion = Single(TokenKind.Region);
        if (region is not null && explicitRegion is not null && (int)region != explicitRegion)
        {
            throw new CaptionParseException($"two positions for '{described}'");
        }

        var where = region ?? (Region?)explicitRegion ?? throw new CaptionParseException($"no position in '{described}'");
        return new ObjectSpec((Shape)shape, (NamedColor)color, (SizeClass)size, where, (Texture)(Single(TokenKind.Texture) ?? 0));
    }

    private static string Describe(Token t) => t.Kind switch
    {
        TokenKind.Color => ((NamedColor)t.Value).ToString(),
        TokenKind.Shape => ((Shape)t.Value).ToString(),
        TokenKind.Size => ((SizeClass)t.Value).ToString(),
        TokenKind.Texture => ((Texture)t.Value).ToString(),
        TokenKind.Region => ((Region)t.Value).ToString(),
        TokenKind.Relation => ((RelationKind)t.Value).ToString(),
        _ => ",",
    };

    private static NamedColor ColorOf(string word) =>
        Phrases.Colors.Single(kv => kv.Value.Select(Normalise).Contains(word)).Key;

    private static (string[] Words, Token Token)[] BuildVocabulary()
    {
        var entries = new List<(string[] Words, Token Token)>();
        void Add<T>(IReadOnlyDictionary<T, string[]> table, TokenKind kind)
            where T : struct, Enum
        {
            foreach (var (value, phrases) in table)
            {
                entries.AddRange(phrases.Select(p => (Normalise(p).Split(' '), new Token(kind, Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)))));
            }
        }

        Add(Phrases.Colors, TokenKind.Color);
        Add(Phrases.Shapes, TokenKind.Shape);
        Add(Phrases.Sizes, TokenKind.Size);
        Add(Phrases.TextureAdjectives, TokenKind.Texture);
        Add(Phrases.TextureSuffixes, TokenKind.Texture);
        Add(Phrases.Regions, TokenKind.Region);
        Add(Phrases.Relations, TokenKind.Relation);
        entries.Add((["and"], new Token(TokenKind.Separator, 0)));
        entries.Add(([","], new Token(TokenKind.Separator, 0)));
        return [.. entries.OrderByDescending(e => e.Words.Length)];
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRegex();
}
