using MediaStudio.Synthetic.Rendering;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Scenes;

/// <summary>Turns labelled regions and sizes into concrete poses, with seeded jitter.</summary>
public static class SceneLayout
{
    /// <summary>Returns the nominal centre of a region as fractions of width and height.</summary>
    public static (double X, double Y) RegionCentre(Region region) => region switch
    {
        Region.Centre => (0.5, 0.5),
        Region.Left => (0.2, 0.5),
        Region.Right => (0.8, 0.5),
        Region.Top => (0.5, 0.2),
        Region.Bottom => (0.5, 0.8),
        _ => throw new ArgumentOutOfRangeException(nameof(region), region, "unknown region"),
    };

    /// <summary>The most an object's centre moves from its region's centre, per axis, as a fraction of each side.</summary>
    public const double PositionJitter = 0.03;

    /// <summary>The largest factor an object's radius takes on its size class's nominal radius.</summary>
    public const double MaxRadiusScale = 1.06;

    /// <summary>Returns the nominal radius of a size class as a fraction of the shorter side.</summary>
    public static double SizeFraction(SizeClass size) => size switch
    {
        SizeClass.Small => 0.085,
        SizeClass.Medium => 0.125,
        SizeClass.Large => 0.17,
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "unknown size"),
    };

    /// <summary>Places every object of a scene; larger objects first so small ones stay visible.</summary>
    public static IReadOnlyList<PlacedObject> Place(SceneSample sample, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var rng = WorldRandom.For(sample.Seed, "layout");
        var side = Math.Min(width, height);
        var placed = new List<PlacedObject>();
        foreach (var spec in sample.Label.Objects)
        {
            var (fx, fy) = RegionCentre(spec.Region);
            var x = (fx + rng.Range(-PositionJitter, PositionJitter)) * width;
            var y = (fy + rng.Range(-PositionJitter, PositionJitter)) * height;
            var radius = SizeFraction(spec.Size) * side * rng.Range(0.94, MaxRadiusScale);
            var rotation = rng.Range(-0.15, 0.15);
            placed.Add(new PlacedObject(spec, new ObjectPose(x, y, radius, rotation)));
        }

        return [.. placed.OrderByDescending(p => p.Pose.Radius)];
    }
}
