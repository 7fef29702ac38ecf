namespace MediaStudio.Language.Captioning;

/// <summary>Settings of a loaded <see cref="CaptionPipeline"/>.</summary>
public sealed record CaptionPipelineOptions
{
    /// <summary>Gets the most images decoded together in one batch. Defaults to 16.</summary>
    public int MaxBatch { get; init; } = 16;

    /// <summary>Gets whether decoding uses the KV cache (off only to measure the uncached reference). Defaults to true.</summary>
    public bool UseKvCache { get; init; } = true;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (MaxBatch < 1)
        {
            throw new ArgumentException($"MaxBatch must be positive, got {MaxBatch}", nameof(MaxBatch));
        }
    }
}
