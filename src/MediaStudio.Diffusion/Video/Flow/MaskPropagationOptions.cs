using System.Text.Json.Serialization;

namespace MediaStudio.Diffusion.Video.Flow;

/// <summary>Clean-up settings of <see cref="MaskPropagation"/>.</summary>
public sealed record MaskPropagationOptions
{
    /// <summary>Gets the level at which the warped soft mask counts as inside.</summary>
    [JsonPropertyName("threshold")]
    public double Threshold { get; init; } = 0.5;

    /// <summary>Gets the radius of the square used for morphological opening, which removes specks (0 turns it off).</summary>
    /// <remarks>Off by default: on the world's small objects it also removes thin parts (star points, stripes).</remarks>
    [JsonPropertyName("opening_radius")]
    public int OpeningRadius { get; init; }

    /// <summary>Gets the radius of the square used for morphological closing, which fills pinholes (0 turns it off).</summary>
    [JsonPropertyName("closing_radius")]
    public int ClosingRadius { get; init; } = 1;

    /// <summary>Gets the size, relative to the largest component, under which a component is dropped.</summary>
    [JsonPropertyName("min_component_fraction")]
    public double MinComponentFraction { get; init; } = 0.2;

    /// <summary>Gets the longest side flow is estimated at; larger frames are downsampled for the flow only.</summary>
    [JsonPropertyName("working_side")]
    public int WorkingSide { get; init; } = 128;

    /// <summary>Gets α₁ of the forward-backward occlusion test (relative tolerance).</summary>
    [JsonPropertyName("consistency_alpha1")]
    public double ConsistencyAlpha1 { get; init; } = 0.01;

    /// <summary>Gets α₂ of the forward-backward occlusion test (squared pixels).</summary>
    [JsonPropertyName("consistency_alpha2")]
    public double ConsistencyAlpha2 { get; init; } = 0.5;

    /// <summary>Gets how many frame pairs share one batched flow estimate (memory against speed).</summary>
    [JsonPropertyName("batch_pairs")]
    public int BatchPairs { get; init; } = 8;

    /// <summary>Gets the width in pixels of the band around the flow prior where colour may correct the mask (0: flow only).</summary>
    [JsonPropertyName("colour_band")]
    public int ColourBand { get; init; } = 3;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (!(Threshold > 0) || Threshold >= 1)
        {
            throw new ArgumentException($"threshold must be in (0, 1), got {Threshold}", nameof(Threshold));
        }

        if (OpeningRadius is < 0 or > 8 || ClosingRadius is < 0 or > 8)
        {
            throw new ArgumentException($"opening_radius and closing_radius must be in 0..8, got {OpeningRadius} and {ClosingRadius}", nameof(OpeningRadius));
        }

        if (MinComponentFraction is < 0 or > 1)
        {
            throw new ArgumentException($"min_component_fraction must be in [0, 1], got {MinComponentFraction}", nameof(MinComponentFraction));
        }

        if (!(ConsistencyAlpha1 >= 0) || !(ConsistencyAlpha2 > 0))
        {
            throw new ArgumentException($"consistency_alpha1 must be >= 0 and consistency_alpha2 > 0, got {ConsistencyAlpha1} and {ConsistencyAlpha2}", nameof(ConsistencyAlpha1));
        }

        if (ColourBand is < 0 or > 16)
        {
            throw new ArgumentException($"colour_band must be in 0..16, got {ColourBand}", nameof(ColourBand));
        }

        if (BatchPairs < 1)
        {
            throw new ArgumentException($"batch_pairs must be positive, got {BatchPairs}", nameof(BatchPairs));
        }

        if (WorkingSide < 16)
        {
            throw new ArgumentException($"working_side must be at least 16, got {WorkingSide}", nameof(WorkingSide));
        }
    }
}
