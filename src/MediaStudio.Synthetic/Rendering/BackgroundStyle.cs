using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Rendering;

/// <summary>The unlabelled details of a background (direction, period, noise lattice), fixed by the scene seed.</summary>
public sealed record BackgroundStyle(double Angle, double Period, long NoiseSeed)
{
    /// <summary>Draws a style from a seed.</summary>
    public static BackgroundStyle FromSeed(long seed)
    {
        var rng = WorldRandom.For(seed, "background-style");
        return new BackgroundStyle(rng.Next(4) * Math.PI / 4, rng.Range(5, 9), unchecked((long)rng.NextUInt64()));
    }
}
