using System.Text.Json.Serialization;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Captions;

/// <summary>How one object of a clip changes between the first and the last frame, as a caption states it.</summary>
/// <remarks>
/// Notation: Δx, Δy are the object's displacement on screen (its world motion minus the camera pan), W the frame width,
/// r = end radius / start radius, Δθ the rotation in radians (clockwise positive). Each part is −1, 0 or +1:
/// <see cref="Horizontal"/> = sign(Δx) when |Δx| ≥ 0.1·W (right positive); <see cref="Vertical"/> = sign(Δy) when
/// |Δy| ≥ 0.1·H (down positive, image rows); <see cref="Scale"/> = +1 when r ≥ 1.15, −1 when r ≤ 0.87;
/// <see cref="Rotation"/> = sign(Δθ) when |Δθ| ≥ 0.45 and the shape shows rotation (circles and rings never do).
/// </remarks>
public sealed record ObjectMotion(
    [property: JsonPropertyName("horizontal")] int Horizontal,
    [property: JsonPropertyName("vertical")] int Vertical,
    [property: JsonPropertyName("scale")] int Scale,
    [property: JsonPropertyName("rotation")] int Rotation)
{
    /// <summary>Fraction of the frame side an object must travel before a caption says it moves.</summary>
    public const double MoveThreshold = 0.1;

    /// <summary>Radius ratio at or above which an object grows.</summary>
    public const double GrowThreshold = 1.15;

    /// <summary>Radius ratio at or below which an object shrinks.</summary>
    public const double ShrinkThreshold = 0.87;

    /// <summary>Rotation in radians at or above which a caption says an object turns.</summary>
    public const double RotationThreshold = 0.45;

    /// <summary>Gets the motion of an object that neither moves, scales nor turns.</summary>
    public static ObjectMotion Still { get; } = new(0, 0, 0, 0);

    /// <summary>Reads the motion of object <paramref name="index"/> (label order) from a clip spec.</summary>
    public static ObjectMotion From(ClipSpec spec, int index)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var track = spec.Tracks[index];
        var shape = spec.Scene.Label.Objects[index].Shape;
        var dx = track.End.X - track.Start.X - spec.PanX;
        var dy = track.End.Y - track.Start.Y - spec.PanY;
        var ratio = track.End.Radius / track.Start.Radius;
        var turn = track.End.Rotation - track.Start.Rotation;
        return new ObjectMotion(
            Math.Abs(dx) >= MoveThreshold * spec.Width ? Math.Sign(dx) : 0,
            Math.Abs(dy) >= MoveThreshold * spec.Height ? Math.Sign(dy) : 0,
            ratio >= GrowThreshold ? 1 : ratio <= ShrinkThreshold ? -1 : 0,
            ShowsRotation(shape) && Math.Abs(turn) >= RotationThreshold ? Math.Sign(turn) : 0);
    }

    /// <summary>Returns whether turning the shape changes how it looks (a plain circle or ring looks the same).</summary>
    public static bool ShowsRotation(Shape shape) => SymmetryOrder(shape) > 0;

    /// <summary>Returns the m of the shape's m-fold rotational symmetry (a turn of 2π/m looks the same), or 0 for a shape
    /// no turn shows on (circle, ring).</summary>
    public static int SymmetryOrder(Shape shape) => shape switch
    {
        Shape.Heart => 1,
        Shape.Triangle => 3,
        Shape.Square => 4,
        Shape.Star => 5,
        _ => 0,
    };
}
