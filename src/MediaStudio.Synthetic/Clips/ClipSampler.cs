using MediaStudio.Synthetic.Rendering;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Clips;

/// <summary>Draws clip specs from a seed: 2-3 moving, scaling, rotating objects that cross paths, and a camera pan.</summary>
public static class ClipSampler
{
    /// <summary>Samples a clip; <paramref name="frameCount"/> null draws 8-32 frames.</summary>
    public static ClipSpec Sample(long seed, int width = 64, int height = 64, int? frameCount = null)
    {
        if (frameCount is { } n && (n < 2 || n > 256))
        {
            throw new ArgumentException($"a clip has 2-256 frames, got {n}", nameof(frameCount));
        }

        var rng = WorldRandom.For(seed, "clip");

        // 1. a scene with at least two objects, no degradations and no relation (objects move away from their regions)
        SceneSample scene;
        var attempt = 0;
        do
        {
            scene = SceneSampler.Sample(unchecked((seed * 1_000_003) + attempt++), new SceneSamplerOptions { RelationRate = 0 });
        }
        while (scene.Label.Objects.Count < 2);

        var placed = SceneLayout.Place(scene, width, height);
        var specs = scene.Label.Objects;
        var starts = specs.Select(o => placed.Single(p => p.Spec == o).Pose).ToList();

        // 2. tracks: object 0 (at the back) heads for object 1's start so the two overlap mid-clip
        var tracks = new List<ObjectTrack>();
        for (var k = 0; k < specs.Count; k++)
        {
            var start = starts[k];
            var (tx, ty) = k == 0
                ? (starts[1].X + rng.Range(-4, 4), starts[1].Y + rng.Range(-4, 4))
                : (start.X + rng.Range(-0.25, 0.25) * width, start.Y + rng.Range(-0.25, 0.25) * height);
            var end = new ObjectPose(
                Math.Clamp(tx, 0.1 * width, 0.9 * width),
                Math.Clamp(ty, 0.1 * height, 0.9 * height),
                start.Radius * rng.Range(0.7, 1.35),
                start.Rotation + rng.Range(-1.2, 1.2));
            tracks.Add(new ObjectTrack(start, end, rng.Range(-4, 4)));
        }

        // 3. camera pan and the edit target: a new shape and colour for one object
        var panX = rng.Range(-8, 8);
        var panY = rng.Range(-5, 5);
        var edited = rng.Next(specs.Count);
        var original = specs[edited];
        var bg = scene.Label.Background;
        var colors = Enum.GetValues<NamedColor>().Where(c => c != original.Color && c != bg.Color && c != bg.SecondColor).ToList();
        var shapes = Enum.GetValues<Shape>().Where(s => s != original.Shape).ToList();
        var replacement = original with { Shape = rng.Pick(shapes), Color = rng.Pick(colors), Texture = rng.PickEnum<Texture>() };
        var frames = frameCount ?? (8 + rng.Next(25));
        return new ClipSpec(scene, width, height, frames, tracks, panX, panY, edited, replacement);
    }
}
