using System.Text.Json.Serialization;
using MediaStudio.Neural.Checkpoints;

namespace MediaStudio.Diffusion.Video.Motion;

/// <summary>Configuration of the <see cref="MotionReference"/> network: one <see cref="FlowGuidedReference"/> per editor insertion point.</summary>
public sealed record MotionReferenceConfig : IModelConfig
{
    /// <summary>Channels of the editor's feature map at every insertion point.</summary>
    [JsonPropertyName("point_channels")]
    public IReadOnlyList<int> PointChannels { get; init; } = [32, 64, 64, 64, 64, 64, 32];

    /// <summary>GroupNorm groups. Defaults to 8.</summary>
    [JsonPropertyName("norm_num_groups")]
    public int NormNumGroups { get; init; } = 8;

    /// <summary>σ in pixels of the forward-backward consistency weight exp(−|d|²/σ²). Defaults to 1.</summary>
    [JsonPropertyName("consistency_sigma")]
    public double ConsistencySigma { get; init; } = 1.0;

    /// <inheritdoc/>
    public void Validate()
    {
        if (PointChannels is null || PointChannels.Count == 0)
        {
            throw new ArgumentException("point_channels must list at least one insertion point", nameof(PointChannels));
        }

        if (NormNumGroups <= 0 || PointChannels.Any(c => c <= 0 || c % NormNumGroups != 0))
        {
            throw new ArgumentException($"point_channels [{string.Join(", ", PointChannels)}] must be positive multiples of norm_num_groups ({NormNumGroups})", nameof(PointChannels));
        }

        if (!(ConsistencySigma > 0) || !double.IsFinite(ConsistencySigma))
        {
            throw new ArgumentException($"consistency_sigma must be positive, got {ConsistencySigma}", nameof(ConsistencySigma));
        }
    }
}
