using System.Text.Json;
using System.Text.Json.Serialization;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Scenes;

/// <summary>One object of a scene: what it looks like and where it is.</summary>
public sealed record ObjectSpec(
    [property: JsonPropertyName("shape")] Shape Shape,
    [property: JsonPropertyName("color")] NamedColor Color,
    [property: JsonPropertyName("size")] SizeClass Size,
    [property: JsonPropertyName("region")] Region Region,
    [property: JsonPropertyName("texture")] Texture Texture);

/// <summary>The background: a kind and one or two colours (flat backgrounds have no second colour).</summary>
public sealed record BackgroundSpec(
    [property: JsonPropertyName("kind")] BackgroundKind Kind,
    [property: JsonPropertyName("color")] NamedColor Color,
    [property: JsonPropertyName("second_color")] NamedColor? SecondColor)
{
    /// <summary>Gets whether swapping the two colours changes what the image shows.</summary>
    /// <remarks>Value noise blends the two colours with a field symmetric around one half, so a swap gives the same
    /// picture statistically: for noise the colours are an unordered pair. A gradient's direction and the fixed phase
    /// of stripes and checks (relative to the image origin) show the order.</remarks>
    [JsonIgnore]
    public bool ColourOrderVisible => OrderVisible(Kind);

    /// <summary>Returns whether a background of <paramref name="kind"/> shows which of its two colours is first
    /// (see <see cref="ColourOrderVisible"/>).</summary>
    public static bool OrderVisible(BackgroundKind kind) => kind != BackgroundKind.Noise;

    /// <summary>Compares this stated background's colours with a seen one, as far as an image can show them.</summary>
    /// <param name="seen">The background read from an image.</param>
    /// <returns>Whether the first and the second colour match; the seen pair is taken in either order when
    /// <see cref="ColourOrderVisible"/> is false.</returns>
    public (bool First, bool Second) MatchColours(BackgroundSpec seen)
    {
        ArgumentNullException.ThrowIfNull(seen);
        var swapped = !ColourOrderVisible && seen.Color == SecondColor && seen.SecondColor == Color;
        return swapped ? (true, true) : (seen.Color == Color, seen.SecondColor == SecondColor);
    }
}

/// <summary>A stated relation: the object in <see cref="Subject"/> is <see cref="Kind"/> the object in <see cref="Reference"/>.</summary>
public sealed record RelationSpec(
    [property: JsonPropertyName("kind")] RelationKind Kind,
    [property: JsonPropertyName("subject")] Region Subject,
    [property: JsonPropertyName("reference")] Region Reference)
{
    /// <summary>Returns the regions a relation places its two objects in.</summary>
    public static (Region Subject, Region Reference) RegionsFor(RelationKind kind) => kind switch
    {
        RelationKind.Above => (Region.Top, Region.Bottom),
        RelationKind.Below => (Region.Bottom, Region.Top),
        RelationKind.LeftOf => (Region.Left, Region.Right),
        RelationKind.RightOf => (Region.Right, Region.Left),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown relation"),
    };
}

/// <summary>A degradation applied to the render and named in the caption.</summary>
public sealed record DegradationSpec(
    [property: JsonPropertyName("kind")] DegradationKind Kind,
    [property: JsonPropertyName("cast_color")] NamedColor? CastColor = null);

/// <summary>The structured label of a scene: everything a caption states and an evaluator checks.</summary>
/// <remarks>
/// Canonical form: objects sorted by region, degradations sorted by kind. Two labels describe the same scene
/// exactly when their <see cref="ToJson"/> strings are equal.
/// </remarks>
public sealed record SceneLabel(
    [property: JsonPropertyName("background")] BackgroundSpec Background,
    [property: JsonPropertyName("objects")] IReadOnlyList<ObjectSpec> Objects,
    [property: JsonPropertyName("relation")] RelationSpec? Relation,
    [property: JsonPropertyName("degradations")] IReadOnlyList<DegradationSpec> Degradations)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Returns the canonical JSON of this label.</summary>
    public string ToJson() => JsonSerializer.Serialize(Canonical(), Json);

    /// <summary>Reads a label written by <see cref="ToJson"/>.</summary>
    public static SceneLabel FromJson(string json) =>
        (JsonSerializer.Deserialize<SceneLabel>(json, Json) ?? throw new JsonException("empty scene label")).Canonical();

    /// <summary>Returns the same label in canonical order.</summary>
    public SceneLabel Canonical() => this with
    {
        Objects = [.. Objects.OrderBy(o => o.Region)],
        Degradations = [.. Degradations.OrderBy(d => d.Kind)],
    };

    /// <summary>Returns the label without degradations (what the clean render shows).</summary>
    public SceneLabel Clean() => this with { Degradations = [] };

    /// <summary>Checks the invariants the renderer and captions rely on.</summary>
    public void Validate()
    {
        if (Objects.Count is < 1 or > 3)
        {
            throw new ArgumentException($"a scene has 1-3 objects, got {Objects.Count}", nameof(Objects));
        }

        if (Objects.Select(o => o.Region).Distinct().Count() != Objects.Count)
        {
            throw new ArgumentException("objects must occupy distinct regions", nameof(Objects));
        }

        if ((Background.Kind == BackgroundKind.Flat) != (Background.SecondColor is null))
        {
            throw new ArgumentException($"a {Background.Kind} background {(Background.Kind == BackgroundKind.Flat ? "has no" : "needs a")} second colour", nameof(Background));
        }

        if (Relation is { } relation && (Objects.Count != 2 || RelationSpec.RegionsFor(relation.Kind) != (relation.Subject, relation.Reference)
            || !Objects.Any(o => o.Region == relation.Subject) || !Objects.Any(o => o.Region == relation.Reference)))
        {
            throw new ArgumentException($"relation {relation.Kind} needs exactly two objects at {RelationSpec.RegionsFor(relation.Kind)}", nameof(Relation));
        }

        if (Degradations.Any(d => (d.Kind == DegradationKind.ColorCast) != (d.CastColor is not null)))
        {
            throw new ArgumentException("only a colour-cast degradation carries a cast colour, and it must", nameof(Degradations));
        }
    }
}
