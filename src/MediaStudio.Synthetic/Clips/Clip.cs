using MediaStudio.Media.Images;

namespace MediaStudio.Synthetic.Clips;

/// <summary>A rendered clip with its per-frame ground truth.</summary>
/// <remarks>
/// Indexing: <see cref="ForwardFlow"/>[t] and <see cref="Occlusions"/>[t] belong to frame t and point to frame t+1;
/// <see cref="BackwardFlow"/>[t] belongs to frame t+1 and points back to frame t. Instance masks hold 0 for
/// background and k+1 for object k of the label.
/// </remarks>
public sealed record Clip(
    ClipSpec Spec,
    IReadOnlyList<RgbImage> Frames,
    IReadOnlyList<byte[]> InstanceMasks,
    IReadOnlyList<FlowField> ForwardFlow,
    IReadOnlyList<FlowField> BackwardFlow,
    IReadOnlyList<byte[]> Occlusions,
    ClipEdit Edit);

/// <summary>The ground-truth edit: the same clip with one object given another appearance, and that appearance alone.</summary>
public sealed record ClipEdit(int ObjectIndex, Scenes.ObjectSpec Replacement, IReadOnlyList<RgbImage> Frames, IReadOnlyList<byte[]> InstanceMasks, RgbImage Reference);
