using MediaStudio.Media.Images;

namespace MediaStudio.Synthetic.Preview;

/// <summary>Lays images out in a grid with a gap, for previews.</summary>
public static class ImageGrid
{
    /// <summary>Places tiles row by row, <paramref name="columns"/> per row, each scaled by an integer factor (nearest neighbour).</summary>
    public static RgbImage Compose(IReadOnlyList<RgbImage> tiles, int columns, int scale = 1, int gap = 2, byte background = 32)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        ArgumentOutOfRangeException.ThrowIfLessThan(tiles.Count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        var cellW = (tiles.Max(t => t.Width) * scale) + gap;
        var cellH = (tiles.Max(t => t.Height) * scale) + gap;
        var rows = (tiles.Count + columns - 1) / columns;
        var grid = new RgbImage((Math.Min(columns, tiles.Count) * cellW) + gap, (rows * cellH) + gap);
        Array.Fill(grid.Pixels, background);
        for (var i = 0; i < tiles.Count; i++)
        {
            var tile = tiles[i];
            var ox = gap + ((i % columns) * cellW);
            var oy = gap + ((i / columns) * cellH);
            for (var y = 0; y < tile.Height * scale; y++)
            {
                for (var x = 0; x < tile.Width * scale; x++)
                {
                    var s = tile.Offset(x / scale, y / scale);
                    var d = grid.Offset(ox + x, oy + y);
                    grid.Pixels[d] = tile.Pixels[s];
                    grid.Pixels[d + 1] = tile.Pixels[s + 1];
                    grid.Pixels[d + 2] = tile.Pixels[s + 2];
                }
            }
        }

        return grid;
    }
}
