namespace MediaStudio.Diffusion.Schedulers;

/// <summary>The CLI names of the samplers and their parsing.</summary>
public static class SamplerKinds
{
    private static readonly (string Name, SamplerKind Kind)[] Names =
    [
        ("ddpm", SamplerKind.Ddpm),
        ("ddim", SamplerKind.Ddim),
        ("dpmpp_2m", SamplerKind.DpmSolverPlusPlus2M),
        ("euler_a", SamplerKind.EulerAncestral),
    ];

    /// <summary>Gets the CLI names, in the enum's order.</summary>
    public static IReadOnlyList<string> CliNames { get; } = Names.Select(n => n.Name).ToArray();

    /// <summary>Parses a CLI name (case-insensitive, surrounding space ignored).</summary>
    /// <param name="name">ddpm, ddim, dpmpp_2m or euler_a.</param>
    /// <returns>The sampler kind.</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known ones.</exception>
    public static SamplerKind Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim();
        foreach (var (known, kind) in Names)
        {
            if (string.Equals(known, key, StringComparison.OrdinalIgnoreCase))
            {
                return kind;
            }
        }

        throw new ArgumentException($"unknown sampler \"{name}\"; expected one of {string.Join(", ", CliNames)}", nameof(name));
    }

    /// <summary>Gets the CLI name of a sampler kind.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>Its CLI name.</returns>
    public static string ToCliName(this SamplerKind kind)
    {
        foreach (var (known, k) in Names)
        {
            if (k == kind)
            {
                return known;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown sampler kind");
    }
}
