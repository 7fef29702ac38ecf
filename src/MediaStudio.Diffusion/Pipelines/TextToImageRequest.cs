using MediaStudio.Diffusion.Negatives;
using MediaStudio.Diffusion.Schedulers;

namespace MediaStudio.Diffusion.Pipelines;

/// <summary>How the unconditional branch of classifier-free guidance is made.</summary>
public enum NegativeKind
{
    /// <summary>The empty prompt's token states (plain CFG).</summary>
    None,

    /// <summary>The token states of a hand-written negative prompt.</summary>
    Prompt,

    /// <summary>A learned negative embedding (ReNeg).</summary>
    Embedding,
}

/// <summary>One text-to-image request; image i is drawn from seed <see cref="Seed"/> + i, so a seed names one image.</summary>
public sealed record TextToImageRequest
{
    /// <summary>What to draw.</summary>
    public required string Prompt { get; init; }

    /// <summary>Which unconditional input guidance uses.</summary>
    public NegativeKind Negative { get; init; }

    /// <summary>The hand-written negative prompt, for <see cref="NegativeKind.Prompt"/>.</summary>
    public string? NegativePrompt { get; init; }

    /// <summary>The learned embedding, for <see cref="NegativeKind.Embedding"/> (the caller owns it).</summary>
    public NegativeEmbedding? Embedding { get; init; }

    /// <summary>Seed of the first image.</summary>
    public long Seed { get; init; }

    /// <summary>Sampler steps.</summary>
    public int Steps { get; init; } = 20;

    /// <summary>Guidance scale; 1 skips the unconditional branch.</summary>
    public double Guidance { get; init; } = 5;

    /// <summary>The sampler.</summary>
    public SamplerKind Sampler { get; init; } = SamplerKind.DpmSolverPlusPlus2M;

    /// <summary>Images to draw.</summary>
    public int Count { get; init; } = 1;

    /// <summary>Output width in pixels (a multiple of the UNet's total downsampling times the autoencoder's factor).</summary>
    public int Width { get; init; } = 64;

    /// <summary>Output height in pixels.</summary>
    public int Height { get; init; } = 64;

    /// <summary>Checks the request against the loaded models.</summary>
    /// <exception cref="ArgumentException">A value is out of range or the negative input is missing; the message names it.</exception>
    public void Validate(int pixelMultiple)
    {
        Require(!string.IsNullOrWhiteSpace(Prompt), "prompt is empty");
        Require(Steps is >= 1 and <= 1000, $"steps must be in [1, 1000], got {Steps}");
        Require(double.IsFinite(Guidance) && Guidance >= 1, $"guidance must be >= 1, got {Guidance}");
        Require(Count is >= 1 and <= 256, $"count must be in [1, 256], got {Count}");
        Require(Width >= pixelMultiple && Width % pixelMultiple == 0, $"width must be a positive multiple of {pixelMultiple}, got {Width}");
        Require(Height >= pixelMultiple && Height % pixelMultiple == 0, $"height must be a positive multiple of {pixelMultiple}, got {Height}");
        Require(Negative != NegativeKind.Prompt || !string.IsNullOrWhiteSpace(NegativePrompt), "a negative prompt was asked for but none given");
        Require(Negative != NegativeKind.Embedding || Embedding is not null, "a negative embedding was asked for but none given");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
