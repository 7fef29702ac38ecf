using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Recognition;

/// <summary>The recognizer's output heads and how labels map to their class indices.</summary>
/// <remarks>
/// Heads: background kind, background colour, second background colour (12 colours + "none"), then for each of the
/// five regions: shape (6 shapes + "absent"), colour, size and texture. Colour, size and texture of an absent
/// object are ignored in the loss (<see cref="Ignore"/>).
/// </remarks>
public static class AttributeHeads
{
    /// <summary>The target value that cross-entropy ignores.</summary>
    public const long Ignore = -100;

    private static readonly int Shapes = Enum.GetValues<Shape>().Length;
    private static readonly int Colors = Enum.GetValues<NamedColor>().Length;
    private static readonly int Regions = Enum.GetValues<Region>().Length;

    /// <summary>Gets the (name, class count) of every head, in logit order.</summary>
    public static IReadOnlyList<(string Name, int Classes)> Heads { get; } = Build();

    /// <summary>Gets the total logit count.</summary>
    public static int TotalLogits { get; } = Heads.Sum(h => h.Classes);

    /// <summary>Returns the head index of an attribute of the object slot at a region.</summary>
    public static int ObjectHead(Region region, int attribute) => 3 + ((int)region * 4) + attribute;

    /// <summary>Encodes a label as one target per head.</summary>
    public static long[] Targets(SceneLabel label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var targets = new long[Heads.Count];
        targets[0] = (long)label.Background.Kind;
        targets[1] = (long)label.Background.Color;
        targets[2] = label.Background.SecondColor is { } second ? (long)second : Colors;
        foreach (var region in Enum.GetValues<Region>())
        {
            var o = label.Objects.FirstOrDefault(o => o.Region == region);
            targets[ObjectHead(region, 0)] = o is null ? Shapes : (long)o.Shape;
            targets[ObjectHead(region, 1)] = o is null ? Ignore : (long)o.Color;
            targets[ObjectHead(region, 2)] = o is null ? Ignore : (long)o.Size;
            targets[ObjectHead(region, 3)] = o is null ? Ignore : (long)o.Texture;
        }

        return targets;
    }

    /// <summary>Decodes one class per head back into a label (no relation, no degradations).</summary>
    public static SceneLabel Decode(IReadOnlyList<int> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        var kind = (BackgroundKind)classes[0];
        NamedColor? second = classes[2] >= Colors || kind == BackgroundKind.Flat ? null : (NamedColor)classes[2];
        var objects = new List<ObjectSpec>();
        foreach (var region in Enum.GetValues<Region>())
        {
            var shape = classes[ObjectHead(region, 0)];
            if (shape < Shapes)
            {
                objects.Add(new ObjectSpec(
                    (Shape)shape, (NamedColor)classes[ObjectHead(region, 1)], (SizeClass)classes[ObjectHead(region, 2)], region, (Texture)classes[ObjectHead(region, 3)]));
            }
        }

        return new SceneLabel(new BackgroundSpec(kind, (NamedColor)classes[1], second), objects, null, []);
    }

    private static List<(string Name, int Classes)> Build()
    {
        var heads = new List<(string Name, int Classes)>
        {
            ("background_kind", Enum.GetValues<BackgroundKind>().Length),
            ("background_color", Colors),
            ("background_second_color", Colors + 1),
        };
        for (var r = 0; r < Regions; r++)
        {
            var name = ((Region)r).ToString().ToLowerInvariant();
            heads.Add(($"{name}_shape", Shapes + 1));
            heads.Add(($"{name}_color", Colors));
            heads.Add(($"{name}_size", Enum.GetValues<SizeClass>().Length));
            heads.Add(($"{name}_texture", Enum.GetValues<Texture>().Length));
        }

        return heads;
    }
}
