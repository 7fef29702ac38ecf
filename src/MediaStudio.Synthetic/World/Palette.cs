namespace MediaStudio.Synthetic.World;

/// <summary>The sRGB value of each <see cref="NamedColor"/>.</summary>
public static class Palette
{
    private static readonly (byte R, byte G, byte B)[] Values =
    [
        (220, 40, 40),    // red
        (245, 140, 30),   // orange
        (240, 220, 40),   // yellow
        (50, 170, 60),    // green
        (40, 200, 210),   // cyan
        (40, 80, 220),    // blue
        (140, 60, 190),   // purple
        (245, 130, 190),  // pink
        (130, 80, 40),    // brown
        (245, 245, 245),  // white
        (128, 128, 128),  // gray
        (20, 20, 20),     // black
    ];

    /// <summary>Returns the colour's sRGB bytes.</summary>
    public static (byte R, byte G, byte B) Rgb(NamedColor color) => Values[(int)color];

    /// <summary>Returns the second colour a striped or dotted object uses: darker for light colours, lighter for dark ones.</summary>
    public static (byte R, byte G, byte B) PatternRgb(NamedColor color)
    {
        var (r, g, b) = Rgb(color);
        var luma = (0.299 * r) + (0.587 * g) + (0.114 * b);
        return luma > 110
            ? ((byte)(r * 0.45), (byte)(g * 0.45), (byte)(b * 0.45))
            : ((byte)(r + ((255 - r) * 0.6)), (byte)(g + ((255 - g) * 0.6)), (byte)(b + ((255 - b) * 0.6)));
    }
}
