using System.Text.Json.Serialization;
using MediaStudio.Neural.Attention;
using MediaStudio.Neural.Checkpoints;

namespace MediaStudio.Diffusion.Video.Motion;

/// <summary>Configuration of the <see cref="MotionModules"/>: one temporal MSWA transformer per editor insertion point.</summary>
/// <remarks>
/// Point i gets the per-head frame windows <see cref="WindowSchedule.ForLayer"/>(base_window, i, points, heads): MSWA-h
/// inside a point (w/4, w/2, w, 2w over the head groups) and MSWA-l across points (small windows first).
/// </remarks>
public sealed record MotionModuleConfig : IModelConfig
{
    /// <summary>Channels of the editor's feature map at every insertion point (<c>UNet2DConditionModel.PointChannels</c>).</summary>
    [JsonPropertyName("point_channels")]
    public IReadOnlyList<int> PointChannels { get; init; } = [32, 64, 64, 64, 64, 64, 32];

    /// <summary>Heads of every temporal attention; divisible by 4 (the MSWA head groups). Defaults to 4.</summary>
    [JsonPropertyName("num_heads")]
    public int NumHeads { get; init; } = 4;

    /// <summary>The uniform frame window w that MSWA redistributes. Defaults to 8.</summary>
    [JsonPropertyName("base_window")]
    public int BaseWindow { get; init; } = 8;

    /// <summary>GroupNorm groups. Defaults to 8.</summary>
    [JsonPropertyName("norm_num_groups")]
    public int NormNumGroups { get; init; } = 8;

    /// <summary>Per-head windows of point <paramref name="point"/>.</summary>
    public int[] Windows(int point) => WindowSchedule.ForLayer(BaseWindow, point, PointChannels.Count, NumHeads);

    /// <inheritdoc/>
    public void Validate()
    {
        if (PointChannels is null || PointChannels.Count == 0)
        {
            throw new ArgumentException("point_channels must list at least one insertion point", nameof(PointChannels));
        }

        if (NumHeads <= 0 || NumHeads % WindowSchedule.PaperRatios.Count != 0)
        {
            throw new ArgumentException($"num_heads must be a positive multiple of {WindowSchedule.PaperRatios.Count}, got {NumHeads}", nameof(NumHeads));
        }

        if (BaseWindow <= 0)
        {
            throw new ArgumentException($"base_window must be positive, got {BaseWindow}", nameof(BaseWindow));
        }

        foreach (var c in PointChannels)
        {
            if (c <= 0 || c % NumHeads != 0 || (c / NumHeads) % 2 != 0 || c % NormNumGroups != 0)
            {
                throw new ArgumentException(
                    $"point_channels entry {c} must be divisible by norm_num_groups ({NormNumGroups}) and by num_heads ({NumHeads}) with an even head width", nameof(PointChannels));
            }
        }
    }
}
