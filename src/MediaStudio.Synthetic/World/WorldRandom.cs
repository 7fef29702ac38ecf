namespace MediaStudio.Synthetic.World;

/// <summary>A small, fully specified PRNG (SplitMix64) so the world is identical on every runtime and platform.</summary>
public sealed class WorldRandom
{
    private ulong _state;

    public WorldRandom(long seed)
    {
        _state = unchecked((ulong)seed) ^ 0x9E3779B97F4A7C15UL;
    }

    /// <summary>Derives an independent stream for a named purpose, so adding draws in one part never shifts another.</summary>
    public static WorldRandom For(long seed, string purpose)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        var h = unchecked((ulong)seed);
        foreach (var c in purpose)
        {
            h = Mix(h ^ c);
        }

        return new WorldRandom(unchecked((long)h));
    }

    /// <summary>Returns the next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state = unchecked(_state + 0x9E3779B97F4A7C15UL);
        return Mix(_state);
    }

    /// <summary>Returns a double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Returns a double in [min, max).</summary>
    public double Range(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Returns an integer in [0, count).</summary>
    public int Next(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return (int)(NextUInt64() % (ulong)count);
    }

    /// <summary>Returns a uniformly chosen element.</summary>
    public T Pick<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items[Next(items.Count)];
    }

    /// <summary>Returns a uniformly chosen enum value.</summary>
    public T PickEnum<T>()
        where T : struct, Enum
    {
        var values = Enum.GetValues<T>();
        return values[Next(values.Length)];
    }

    /// <summary>Returns a standard normal sample (Box-Muller).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Shuffles a list in place (Fisher-Yates).</summary>
    public void Shuffle<T>(IList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Hashes integers to a value in [0, 1) (for lattice noise).</summary>
    public static double Hash01(long seed, int x, int y)
    {
        var h = Mix(unchecked((ulong)seed) ^ Mix(unchecked((ulong)(uint)x) ^ Mix(unchecked((ulong)(uint)y + 0x51ED27UL))));
        return (h >> 11) * (1.0 / (1UL << 53));
    }

    private static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
