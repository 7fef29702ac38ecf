using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Scenes;

/// <summary>Draws scene labels from a seed; the same seed always gives the same scene.</summary>
public static class SceneSampler
{
    private static readonly NamedColor[] CastColors = [NamedColor.Red, NamedColor.Yellow, NamedColor.Green, NamedColor.Blue, NamedColor.Purple];

    /// <summary>Samples one scene.</summary>
    public static SceneSample Sample(long seed, SceneSamplerOptions? options = null)
    {
        options ??= new SceneSamplerOptions();
        options.Validate();
        var rng = WorldRandom.For(seed, "scene");

        // 1. background: two distinct colours; flat uses only the first
        var kind = rng.PickEnum<BackgroundKind>();
        var colors = Enum.GetValues<NamedColor>().ToList();
        rng.Shuffle(colors);
        var background = new BackgroundSpec(kind, colors[0], kind == BackgroundKind.Flat ? null : colors[1]);
        var objectColors = colors.Skip(2).ToArray();

        // 2. object count, regions (distinct) and an optional relation
        var count = 1 + rng.Next(options.MaxObjects);
        RelationSpec? relation = null;
        Region[] regions;
        if (count == 2 && rng.NextDouble() < options.RelationRate)
        {
            var relationKind = rng.PickEnum<RelationKind>();
            var (subject, reference) = RelationSpec.RegionsFor(relationKind);
            relation = new RelationSpec(relationKind, subject, reference);
            regions = [subject, reference];
        }
        else
        {
            var all = Enum.GetValues<Region>().ToList();
            rng.Shuffle(all);
            regions = [.. all.Take(count)];
        }

        // 3. objects: colours differ from the background so every object is visible
        var objects = regions.Select(region => new ObjectSpec(
            rng.PickEnum<Shape>(),
            rng.Pick(objectColors),
            rng.PickEnum<SizeClass>(),
            region,
            rng.NextDouble() < 0.5 ? Texture.None : (rng.NextDouble() < 0.5 ? Texture.Striped : Texture.Dotted))).ToList();

        // 4. degradations (one, sometimes two), with the cast colour named
        var degradations = new List<DegradationSpec>();
        if (rng.NextDouble() < options.DegradationRate)
        {
            var kinds = Enum.GetValues<DegradationKind>().ToList();
            rng.Shuffle(kinds);
            var n = rng.NextDouble() < 0.25 ? 2 : 1;
            degradations.AddRange(kinds.Take(n).Select(k =>
                new DegradationSpec(k, k == DegradationKind.ColorCast ? rng.Pick(CastColors) : null)));
        }

        var label = new SceneLabel(background, objects, relation, degradations).Canonical();
        label.Validate();
        return new SceneSample(seed, label);
    }
}
