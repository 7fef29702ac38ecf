using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Rendering;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Clips;

/// <summary>Draws clip specs from a seed: 2-3 moving, scaling, rotating objects that cross paths, and a camera pan.</summary>
/// <remarks>
/// <see cref="ClipMotion.Clear"/> consumes the random stream exactly as <see cref="ClipMotion.Any"/> (same scene, pan,
/// frame count and edit) and maps each draw away from the caption thresholds of <see cref="ObjectMotion"/>:
/// on-screen displacement per axis at most 0.04·W or at least 0.16·W (threshold 0.1·W); radius ratio in [0.7, 0.8],
/// [0.94, 1.06] or [1.25, 1.35] (thresholds 0.87 and 1.15); turn in [−1.2, −0.75], [−0.15, 0.15] or [0.75, 1.2] rad
/// (threshold 0.45).
/// </remarks>
public static class ClipSampler
{
    /// <summary>Smallest on-screen displacement, as a fraction of the frame side, that a clear clip calls a move.</summary>
    public const double ClearMove = 0.16;

    /// <summary>Largest on-screen displacement, as a fraction of the frame side, that a clear clip calls still.</summary>
    public const double ClearStill = 0.04;

    /// <summary>Samples a clip; <paramref name="frameCount"/> null draws 8-32 frames.</summary>
    public static ClipSpec Sample(long seed, int width = 64, int height = 64, int? frameCount = null, ClipMotion motion = ClipMotion.Any)
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
            var (ratio, turn) = (rng.Range(0.7, 1.35), rng.Range(-1.2, 1.2));
            var end = new ObjectPose(
                Math.Clamp(tx, 0.1 * width, 0.9 * width),
                Math.Clamp(ty, 0.1 * height, 0.9 * height),
                start.Radius * (motion == ClipMotion.Clear ? ClearRatio(ratio) : ratio),
                start.Rotation + (motion == ClipMotion.Clear ? ClearTurn(turn) : turn));
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
        if (motion == ClipMotion.Clear)
        {
            tracks = [.. tracks.Select(t => t with
            {
                End = t.End with
                {
                    X = ClearEnd(t.Start.X, t.End.X, panX, width),
                    Y = ClearEnd(t.Start.Y, t.End.Y, panY, height),
                },
            })];
        }

        return new ClipSpec(scene, width, height, frames, tracks, panX, panY, edited, replacement);
    }

    // u uniform in [0.7, 1.35] -> shrink [0.7, 0.8], keep [0.94, 1.06] or grow [1.25, 1.35], each a third of u's range
    private static double ClearRatio(double u)
    {
        var q = (u - 0.7) / 0.65;
        return q < 1 / 3.0 ? 0.7 + (0.3 * q) : q < 2 / 3.0 ? 0.94 + (0.36 * (q - (1 / 3.0))) : 1.25 + (0.3 * (q - (2 / 3.0)));
    }

    // v uniform in [-1.2, 1.2] -> anticlockwise [-1.2, -0.75] (30%), none [-0.15, 0.15] (40%), clockwise [0.75, 1.2] (30%)
    private static double ClearTurn(double v)
    {
        var q = (v + 1.2) / 2.4;
        return q < 0.3 ? -1.2 + (1.5 * q) : q < 0.7 ? -0.15 + (0.75 * (q - 0.3)) : 0.75 + (1.5 * (q - 0.7));
    }

    // the world end on one axis whose on-screen displacement (end - start - pan) is plainly still or plainly a move,
    // nearest the drawn one, keeping the end inside [0.1, 0.9] of the side as the drawn ends are; longer moves when the
    // pan pushes the object near an edge (the pan is in pixels, so it weighs more in small frames)
    private static double ClearEnd(double start, double end, double pan, double side)
    {
        var d = end - start - pan;
        var sign = d < 0 ? -1 : 1;
        var still = Math.Abs(d) < ObjectMotion.MoveThreshold * side;
        IEnumerable<double> candidates = Math.Abs(d) <= ClearStill * side || Math.Abs(d) >= ClearMove * side
            ? [d, sign * ClearMove * side, -sign * ClearMove * side]
            : [sign * (still ? ClearStill : ClearMove) * side, sign * (still ? ClearMove : ClearStill) * side, 0, -sign * ClearMove * side];
        var longer = Enumerable.Range(4, 13).SelectMany(k => new[] { sign * k * 0.05 * side, -sign * k * 0.05 * side }); // 0.2 to 0.8 of the side
        foreach (var c in candidates.Concat(longer))
        {
            var x = start + pan + c;
            if (x >= 0.1 * side && x <= 0.9 * side)
            {
                return x;
            }
        }

        return end; // unreachable for frames of 16 px or more: some move of 0.2-0.8 of the side lands inside
    }
}
