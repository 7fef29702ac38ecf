using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Captions;

/// <summary>What a clip caption states: the scene at the first frame and each object's motion, keyed by its starting region.</summary>
/// <remarks>Objects of one scene occupy distinct regions, so the region names the object a motion belongs to.</remarks>
public sealed record ClipCaptionLabel(SceneLabel Scene, IReadOnlyDictionary<Region, ObjectMotion> Motions);
