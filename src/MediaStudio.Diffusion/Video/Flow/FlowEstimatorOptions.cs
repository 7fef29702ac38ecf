using System.Text.Json.Serialization;

namespace MediaStudio.Diffusion.Video.Flow;

/// <summary>Settings of the coarse-to-fine TV-L1 flow estimator (defaults from Sánchez, Meinhardt-Llopis and Facciolo 2013).</summary>
public sealed record FlowEstimatorOptions
{
    /// <summary>Gets the most pyramid levels; coarser levels stop before a side drops under <see cref="MinSide"/>.</summary>
    [JsonPropertyName("levels")]
    public int Levels { get; init; } = 5;

    /// <summary>Gets the smallest side of the coarsest pyramid level.</summary>
    [JsonPropertyName("min_side")]
    public int MinSide { get; init; } = 8;

    /// <summary>Gets the number of re-linearisations (warps) per level.</summary>
    [JsonPropertyName("warps")]
    public int Warps { get; init; } = 3;

    /// <summary>Gets the primal-dual iterations per warp.</summary>
    [JsonPropertyName("iterations")]
    public int Iterations { get; init; } = 10;

    /// <summary>Gets λ, the weight of the L1 data term against total variation (intensities in 0..255).</summary>
    [JsonPropertyName("lambda")]
    public double Lambda { get; init; } = 0.1;

    /// <summary>Gets θ, the coupling between the flow u and its auxiliary copy v.</summary>
    [JsonPropertyName("theta")]
    public double Theta { get; init; } = 0.3;

    /// <summary>Gets τ, the dual step (≤ 0.25 for convergence).</summary>
    [JsonPropertyName("tau")]
    public double Tau { get; init; } = 0.25;

    /// <summary>Gets the side of the median filter applied to the flow after each warp (odd; 1 turns it off).</summary>
    [JsonPropertyName("median")]
    public int Median { get; init; } = 3;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (Levels < 1)
        {
            throw new ArgumentException($"levels must be at least 1, got {Levels}", nameof(Levels));
        }

        if (MinSide < 2)
        {
            throw new ArgumentException($"min_side must be at least 2, got {MinSide}", nameof(MinSide));
        }

        if (Warps < 1 || Iterations < 1)
        {
            throw new ArgumentException($"warps and iterations must be positive, got {Warps} and {Iterations}", nameof(Warps));
        }

        if (!(Lambda > 0) || !(Theta > 0) || !(Tau > 0) || Tau > 0.25)
        {
            throw new ArgumentException($"lambda and theta must be positive and tau in (0, 0.25], got {Lambda}, {Theta}, {Tau}", nameof(Lambda));
        }

        if (Median < 1 || Median % 2 == 0)
        {
            throw new ArgumentException($"median must be a positive odd size, got {Median}", nameof(Median));
        }
    }
}
