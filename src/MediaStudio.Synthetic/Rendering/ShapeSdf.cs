using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Rendering;

/// <summary>Signed distance functions of the shapes in local units (the shape fits the unit disc).</summary>
/// <remarks>
/// Notation: p = (x, y) in the object's local frame, y pointing down as in the image; d(p) &lt; 0 inside.
/// Star, triangle and heart follow Inigo Quilez's exact 2D distance functions
/// (iquilezles.org/articles/distfunctions2d), with the heart flipped to image coordinates.
/// </remarks>
public static class ShapeSdf
{
    private const double Sqrt3 = 1.7320508075688772;

    /// <summary>Returns the signed distance from local point (x, y) to the shape's outline.</summary>
    public static double Distance(Shape shape, double x, double y) => shape switch
    {
        Shape.Circle => Math.Sqrt((x * x) + (y * y)) - 0.95,
        Shape.Square => Box(x, y, 0.78),
        Shape.Triangle => Triangle(x, y, 0.85),
        Shape.Star => Star5(x, y, 1.0, 0.45),
        Shape.Ring => Math.Abs(Math.Sqrt((x * x) + (y * y)) - 0.72) - 0.26,
        Shape.Heart => Heart(x, y),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "unknown shape"),
    };

    private static double Box(double x, double y, double half)
    {
        var qx = Math.Abs(x) - half;
        var qy = Math.Abs(y) - half;
        var outside = Math.Sqrt((Math.Max(qx, 0) * Math.Max(qx, 0)) + (Math.Max(qy, 0) * Math.Max(qy, 0)));
        return outside + Math.Min(Math.Max(qx, qy), 0);
    }

    // Equilateral triangle of side 2r pointing up (iq sdEquilateralTriangle, y flipped).
    private static double Triangle(double x, double y, double r)
    {
        var px = Math.Abs(x) - r;
        var py = -y + (r / Sqrt3);
        if (px + (Sqrt3 * py) > 0)
        {
            (px, py) = ((px - (Sqrt3 * py)) / 2, ((-Sqrt3 * px) - py) / 2);
        }

        px -= Math.Clamp(px, -2 * r, 0);
        return -Math.Sqrt((px * px) + (py * py)) * Math.Sign(py);
    }

    // Five-pointed star with outer radius r and inner ratio rf, one tip pointing up (iq sdStar5).
    private static double Star5(double x, double y, double r, double rf)
    {
        const double k1x = 0.809016994375;
        const double k1y = -0.587785252292;
        const double k2x = -k1x;
        const double k2y = k1y;
        var px = Math.Abs(x);
        var py = -y;
        var d1 = Math.Max((k1x * px) + (k1y * py), 0) * 2;
        px -= d1 * k1x;
        py -= d1 * k1y;
        var d2 = Math.Max((k2x * px) + (k2y * py), 0) * 2;
        px -= d2 * k2x;
        py -= d2 * k2y;
        px = Math.Abs(px);
        py -= r;
        var bax = rf * -k1y;
        var bay = (rf * k1x) - 1;
        var h = Math.Clamp(((px * bax) + (py * bay)) / ((bax * bax) + (bay * bay)), 0, r);
        var dx = px - (bax * h);
        var dy = py - (bay * h);
        return Math.Sqrt((dx * dx) + (dy * dy)) * Math.Sign((py * bax) - (px * bay));
    }

    // iq sdHeart: tip at the origin, lobes towards +y; mapped so the heart fills the unit disc, tip down.
    private static double Heart(double x, double y)
    {
        const double s = 0.55;
        var px = Math.Abs(x) * s;
        var py = (-y * s) + 0.5;
        double d;
        if (py + px > 1.0)
        {
            var ax = px - 0.25;
            var ay = py - 0.75;
            d = Math.Sqrt((ax * ax) + (ay * ay)) - (Math.Sqrt(2.0) / 4.0);
        }
        else
        {
            var ax = px;
            var ay = py - 1.0;
            var m = 0.5 * Math.Max(px + py, 0.0);
            var bx = px - m;
            var by = py - m;
            d = Math.Sqrt(Math.Min((ax * ax) + (ay * ay), (bx * bx) + (by * by))) * Math.Sign(px - py);
        }

        return d / s;
    }
}
