using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Scenes;

namespace MediaStudio.Language.Training;

/// <summary>One captioning example: its frames (one for an image), a reference caption, and the ground truth it states.</summary>
/// <param name="Frames">The image, or the clip's sampled frames.</param>
/// <param name="Caption">A reference caption.</param>
/// <param name="Scene">The scene (for a clip, at its first frame).</param>
/// <param name="Clip">The clip spec, or null for an image.</param>
/// <param name="MotionFrames">The clip sampled to the motion tower's frame count when that differs from the captioner's, else null.</param>
public sealed record CaptionSample(IReadOnlyList<RgbImage> Frames, string Caption, SceneSample Scene, ClipSpec? Clip, IReadOnlyList<RgbImage>? MotionFrames = null)
{
    /// <summary>Gets each object's motion for a clip (label order), or null for an image.</summary>
    public IReadOnlyList<ObjectMotion>? Motions => Clip is null ? null : ClipCaptioner.Motions(Clip);
}
