namespace MediaStudio.Web.Components.Pages.Create;

/// <summary>The negative part of a text-to-image request.</summary>
/// <param name="Mode">none, prompt or embedding.</param>
/// <param name="Prompt">The negative prompt, for mode prompt.</param>
/// <param name="Embedding">The embedding's name, for mode embedding.</param>
/// <param name="Refine">Refine the embedding for this prompt before sampling (mode embedding only).</param>
public sealed record NegativeChoice(string Mode, string? Prompt, string? Embedding, bool Refine = false);
