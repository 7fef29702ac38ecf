namespace MediaStudio.Synthetic.Scenes;

/// <summary>A scene: its label plus the seed that fixes everything the label leaves open (jitter, angles, noise).</summary>
public sealed record SceneSample(long Seed, SceneLabel Label);

/// <summary>Knobs for sampling scenes.</summary>
public sealed record SceneSamplerOptions
{
    /// <summary>Gets the probability that a scene carries at least one degradation.</summary>
    /// <remarks>Defaults to 0 (clean scenes).</remarks>
    public double DegradationRate { get; init; }

    /// <summary>Gets the probability that a two-object scene is described by a relation.</summary>
    /// <remarks>Defaults to 0.35.</remarks>
    public double RelationRate { get; init; } = 0.35;

    /// <summary>Gets the most objects per scene (1-3).</summary>
    public int MaxObjects { get; init; } = 3;

    public void Validate()
    {
        if (DegradationRate is < 0 or > 1)
        {
            throw new ArgumentException($"DegradationRate must be in [0, 1], got {DegradationRate}", nameof(DegradationRate));
        }

        if (RelationRate is < 0 or > 1)
        {
            throw new ArgumentException($"RelationRate must be in [0, 1], got {RelationRate}", nameof(RelationRate));
        }

        if (MaxObjects is < 1 or > 3)
        {
            throw new ArgumentException($"MaxObjects must be 1-3, got {MaxObjects}", nameof(MaxObjects));
        }
    }
}
