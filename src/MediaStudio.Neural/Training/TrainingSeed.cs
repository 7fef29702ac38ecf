using static TorchSharp.torch;

namespace MediaStudio.Neural.Training;

/// <summary>Deterministic seeding of every random source a training run uses.</summary>
public static class TrainingSeed
{
    /// <summary>Seeds the torch CPU RNG (and CUDA's, when present) and returns a seeded .NET RNG for data order.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <returns>A <see cref="Random"/> seeded from the same value, for shuffling and augmentation decided in C#.</returns>
    public static Random Set(long seed)
    {
        random.manual_seed(seed);
        if (cuda.is_available())
        {
            cuda.manual_seed_all(seed);
        }

        return new Random(unchecked((int)(seed ^ (seed >> 32))));
    }

    /// <summary>Derives a per-step generator seed, so a batch depends only on (seed, step) and not on how many runs led there.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="step">0-based step.</param>
    /// <returns>A seed for <c>new Generator(...)</c>.</returns>
    public static ulong ForStep(long seed, long step)
    {
        // SplitMix64 finaliser: decorrelates neighbouring steps
        var z = unchecked((ulong)seed + (0x9E3779B97F4A7C15UL * (ulong)(step + 1)));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
