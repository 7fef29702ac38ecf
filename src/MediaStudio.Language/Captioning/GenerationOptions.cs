namespace MediaStudio.Language.Captioning;

/// <summary>How text is decoded: greedy when <see cref="Temperature"/> is 0, otherwise sampling with optional top-k and top-p.</summary>
/// <remarks>Sampling draws from a generator seeded with <see cref="Seed"/> at the start of every call, so the same seed,
/// inputs and batch give the same text.</remarks>
public sealed record GenerationOptions
{
    /// <summary>Gets the most tokens generated per sequence (the end token included). Defaults to 96, enough for a three-object clip caption.</summary>
    public int MaxNewTokens { get; init; } = 96;

    /// <summary>Gets the softmax temperature; 0 selects greedy decoding.</summary>
    public float Temperature { get; init; }

    /// <summary>Gets the number of most likely tokens kept before sampling; 0 keeps all.</summary>
    public int TopK { get; init; }

    /// <summary>Gets the nucleus mass: the smallest set of tokens whose probability reaches it is kept; 1 keeps all.</summary>
    public float TopP { get; init; } = 1;

    /// <summary>Gets the sampling seed.</summary>
    public long Seed { get; init; }

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (MaxNewTokens < 1)
        {
            throw new ArgumentException($"MaxNewTokens must be positive, got {MaxNewTokens}", nameof(MaxNewTokens));
        }

        if (!float.IsFinite(Temperature) || Temperature < 0)
        {
            throw new ArgumentException($"Temperature must be >= 0 (0 = greedy), got {Temperature}", nameof(Temperature));
        }

        if (TopK < 0)
        {
            throw new ArgumentException($"TopK must be >= 0 (0 = off), got {TopK}", nameof(TopK));
        }

        if (!(TopP > 0 && TopP <= 1))
        {
            throw new ArgumentException($"TopP must be in (0, 1], got {TopP}", nameof(TopP));
        }
    }
}
