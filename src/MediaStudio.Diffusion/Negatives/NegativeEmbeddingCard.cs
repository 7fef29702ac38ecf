using System.Text.Json.Serialization;

namespace MediaStudio.Diffusion.Negatives;

/// <summary>What a learned negative embedding is and how it was made; stored as <c>card.json</c> beside the tensor.</summary>
public sealed record NegativeEmbeddingCard
{
    /// <summary>The embedding's name (its folder name).</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary><c>global</c> (one embedding for every prompt) or <c>per-prompt</c>.</summary>
    [JsonPropertyName("variant")]
    public string Variant { get; init; } = "global";

    /// <summary>Context length T of the text encoder the embedding belongs to.</summary>
    [JsonPropertyName("tokens")]
    public int Tokens { get; init; }

    /// <summary>Width D of the text encoder's token states.</summary>
    [JsonPropertyName("width")]
    public int Width { get; init; }

    /// <summary>The training prompts (or the first of them, with <see cref="PromptCount"/> giving the total).</summary>
    [JsonPropertyName("prompts")]
    public IReadOnlyList<string> Prompts { get; init; } = [];

    /// <summary>How many prompts the training drew from.</summary>
    [JsonPropertyName("prompt_count")]
    public int PromptCount { get; init; }

    /// <summary>Optimisation steps taken.</summary>
    [JsonPropertyName("steps")]
    public long Steps { get; init; }

    /// <summary>Guidance scale used in training; use a scale close to it when generating.</summary>
    [JsonPropertyName("guidance")]
    public double Guidance { get; init; }

    /// <summary>Mean reward on the held-out check prompts with the starting embedding (the empty prompt's states).</summary>
    [JsonPropertyName("reward_before")]
    public double RewardBefore { get; init; }

    /// <summary>Mean reward on the same held-out check prompts with the learned embedding.</summary>
    [JsonPropertyName("reward_after")]
    public double RewardAfter { get; init; }

    /// <summary>SHA-256 of the text encoder's weights the embedding lives in.</summary>
    [JsonPropertyName("text_encoder_sha256")]
    public string? TextEncoderSha256 { get; init; }

    /// <summary>SHA-256 of the UNet the embedding was trained against.</summary>
    [JsonPropertyName("unet_sha256")]
    public string? UNetSha256 { get; init; }

    /// <summary>Training time in seconds, summed over resumed runs.</summary>
    [JsonPropertyName("training_seconds")]
    public double TrainingSeconds { get; init; }

    /// <summary>The command lines that produced it.</summary>
    [JsonPropertyName("commands")]
    public IReadOnlyList<string> Commands { get; init; } = [];
}
