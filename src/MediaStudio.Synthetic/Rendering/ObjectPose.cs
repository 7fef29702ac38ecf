using MediaStudio.Synthetic.Scenes;

namespace MediaStudio.Synthetic.Rendering;

/// <summary>Where an object is drawn: centre in world pixels, radius in pixels, rotation in radians (clockwise).</summary>
public readonly record struct ObjectPose(double X, double Y, double Radius, double Rotation)
{
    /// <summary>Maps a world point into the object's local frame (unit disc = the shape).</summary>
    public (double X, double Y) ToLocal(double wx, double wy)
    {
        var (s, c) = Math.SinCos(Rotation);
        var dx = wx - X;
        var dy = wy - Y;
        return (((c * dx) + (s * dy)) / Radius, ((-s * dx) + (c * dy)) / Radius);
    }

    /// <summary>Maps a local point back to world pixels.</summary>
    public (double X, double Y) ToWorld(double lx, double ly)
    {
        var (s, c) = Math.SinCos(Rotation);
        var x = lx * Radius;
        var y = ly * Radius;
        return (X + ((c * x) - (s * y)), Y + ((s * x) + (c * y)));
    }
}

/// <summary>An object's appearance (shape, colour, texture from its spec) at a pose.</summary>
public sealed record PlacedObject(ObjectSpec Spec, ObjectPose Pose);
