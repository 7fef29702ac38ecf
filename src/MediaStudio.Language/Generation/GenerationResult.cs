namespace MediaStudio.Language.Generation;

/// <summary>What one batched generation produced, with its timing.</summary>
/// <param name="Tokens">Per row, the generated ids without the stop token.</param>
/// <param name="TimeToFirstToken">From the start of the prompt pass to the first sampled token.</param>
/// <param name="Elapsed">The whole generation.</param>
/// <param name="Steps">Decoder passes after the prompt (one per token beyond the first).</param>
public sealed record GenerationResult(IReadOnlyList<IReadOnlyList<int>> Tokens, TimeSpan TimeToFirstToken, TimeSpan Elapsed, int Steps);
