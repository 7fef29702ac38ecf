namespace MediaStudio.Synthetic.Clips;

/// <summary>A dense optical flow field: pixel (x, y) moves to (x + Dx, y + Dy).</summary>
public sealed class FlowField
{
    public FlowField(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Width = width;
        Height = height;
        Dx = new float[width * height];
        Dy = new float[width * height];
    }

    public int Width { get; }

    public int Height { get; }

#pragma warning disable CA1819 // Dense fields are written and read in place by the renderer and metrics.
    /// <summary>Gets the horizontal displacement per pixel, row-major.</summary>
    public float[] Dx { get; }

    /// <summary>Gets the vertical displacement per pixel, row-major.</summary>
    public float[] Dy { get; }
#pragma warning restore CA1819
}
