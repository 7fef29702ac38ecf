using MediaStudio.Synthetic.Rendering;
using MediaStudio.Synthetic.Scenes;

namespace MediaStudio.Synthetic.Clips;

/// <summary>A smooth path for one object: start and end pose plus a sideways swing.</summary>
public sealed record ObjectTrack(ObjectPose Start, ObjectPose End, double Swing)
{
    /// <summary>Returns the pose at normalised time s in [0, 1] (smoothstep easing).</summary>
    public ObjectPose At(double s)
    {
        var e = s * s * (3 - (2 * s));
        var dx = End.X - Start.X;
        var dy = End.Y - Start.Y;
        var length = Math.Max(1e-9, Math.Sqrt((dx * dx) + (dy * dy)));
        var bulge = Swing * Math.Sin(Math.PI * e);
        return new ObjectPose(
            Start.X + (dx * e) + (-dy / length * bulge),
            Start.Y + (dy * e) + (dx / length * bulge),
            Start.Radius + ((End.Radius - Start.Radius) * e),
            Start.Rotation + ((End.Rotation - Start.Rotation) * e));
    }
}

/// <summary>Everything that fixes a clip: the scene, its frame count, one track per object and the camera pan.</summary>
/// <remarks>Objects are drawn in label order, so later objects pass in front of earlier ones.</remarks>
public sealed record ClipSpec(
    SceneSample Scene, int Width, int Height, int FrameCount, IReadOnlyList<ObjectTrack> Tracks, double PanX, double PanY, int EditedObject, ObjectSpec Replacement)
{
    /// <summary>Returns the normalised time of frame t.</summary>
    public double Time(int t) => FrameCount == 1 ? 0 : t / (double)(FrameCount - 1);

    /// <summary>Returns the camera offset at frame t (a linear pan).</summary>
    public (double X, double Y) Camera(int t) => (PanX * Time(t), PanY * Time(t));
}
