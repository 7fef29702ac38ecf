using System.Security.Cryptography;
using MediaStudio.Jobs.Generation;

namespace MediaStudio.Web.Components.Pages.Create;

/// <summary>The Create form's editable copy of a <see cref="TextToImageSpec"/>; owned by the form, never by its parent.</summary>
public sealed class TextToImageDraft
{
    public string Prompt { get; set; } = string.Empty;

    public string NegativeMode { get; set; } = TextToImageSpec.NegativeNone;

    public string? NegativePrompt { get; set; }

    public string? NegativeEmbedding { get; set; }

    /// <summary>Gets or sets whether the learned embedding is refined for this prompt first.</summary>
    public bool Refine { get; set; }

    /// <summary>Gets or sets whether each generation draws a fresh seed.</summary>
    public bool RandomSeed { get; set; } = true;

    public long Seed { get; set; }

    public int Steps { get; set; } = 20;

    public double Guidance { get; set; } = 5;

    public string Sampler { get; set; } = "dpmpp_2m";

    public int Width { get; set; } = 64;

    public int Height { get; set; } = 64;

    public int Count { get; set; } = 1;

    /// <summary>Copies a spec into a new draft; a spec without a seed means "random".</summary>
    public static TextToImageDraft From(TextToImageSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new TextToImageDraft
        {
            Prompt = spec.Prompt ?? string.Empty,
            NegativeMode = spec.NegativeMode,
            NegativePrompt = spec.NegativePrompt,
            NegativeEmbedding = spec.NegativeEmbedding,
            Refine = spec.Refine,
            RandomSeed = spec.Seed is null,
            Seed = spec.Seed ?? 0,
            Steps = spec.Steps,
            Guidance = spec.Guidance,
            Sampler = spec.Sampler,
            Width = spec.Width,
            Height = spec.Height,
            Count = spec.Count,
        };
    }

    /// <summary>Draws a new fixed seed (the dice button).</summary>
    public void RollSeed()
    {
        Seed = RandomNumberGenerator.GetInt32(int.MaxValue);
        RandomSeed = false;
    }

    /// <summary>Builds the spec to submit; fields of other negative modes are left out.</summary>
    public TextToImageSpec ToSpec() => new(
        Prompt.Trim(),
        NegativeMode,
        NegativeMode == TextToImageSpec.NegativeFromPrompt ? NegativePrompt?.Trim() : null,
        NegativeMode == TextToImageSpec.NegativeFromEmbedding ? NegativeEmbedding : null,
        Refine: NegativeMode == TextToImageSpec.NegativeFromEmbedding && Refine,
        Seed: RandomSeed ? null : Seed,
        Steps,
        Guidance,
        Sampler,
        Width,
        Height,
        Count);
}
