using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Editor;

/// <summary>
/// The reference placed where the edit goes (AnyDoor's collage hint): a spatially aligned copy of the reference's object
/// in the mask's box, so the editor can draw the reference's shape, not only its colours.
/// </summary>
/// <remarks>
/// Notation: R (B, 3, S, S) the reference in [-1, 1], m (B, 1, S, S) the edit mask. The reference's object box is where
/// R differs from its border's median colour by more than <see cref="ForegroundThreshold"/> in some channel (the whole
/// image when nothing does); the target box is m's bounding box. Both are made square about their centres (a shape
/// keeps its aspect) and the reference is resampled bilinearly so that its object square lands on the target square:
/// ref(p) = c_r + (p − c_t)·h_r / h_t in pixel coordinates, c the centres and h the half sides. The hint is that
/// image inside the target square and zero outside, plus a fourth channel marking the square: (B, 4, S, S). A row
/// with an empty mask gets an all-zero hint, as does a row whose reference is dropped for guidance.
/// </remarks>
public static class ReferenceHint
{
    /// <summary>Channels of the hint: the placed reference (3) and its square (1).</summary>
    public const int Channels = 4;

    /// <summary>Per-channel distance on [-1, 1] from the border's median colour above which a reference pixel is object.</summary>
    public const float ForegroundThreshold = 0.2f;

    /// <summary>Places <paramref name="reference"/> into the box of each row's <paramref name="mask"/>.</summary>
    /// <param name="reference">(B, 3, S, S) or (1, 3, S, S) for every row, in [-1, 1].</param>
    /// <param name="mask">(B, 1, S, S), non-zero = edit.</param>
    /// <returns>(B, 4, S, S).</returns>
    public static Tensor Place(Tensor reference, Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(mask);
        if (reference.shape[2] != mask.shape[2] || reference.shape[3] != mask.shape[3])
        {
            throw new ArgumentException($"reference is {reference.shape[3]}x{reference.shape[2]}, the mask {mask.shape[3]}x{mask.shape[2]}", nameof(mask));
        }

        using var scope = NewDisposeScope();
        var b = mask.shape[0];
        var (h, w) = (mask.shape[2], mask.shape[3]);
        var refs = reference.shape[0] == b ? reference : reference.expand(b, -1, -1, -1);
        var (ty, tx, th, valid) = Square(mask.gt(0.5f).squeeze(1));                                      // target centre (B), half side (B), any (B)
        var (ry, rx, rh, found) = Square(Foreground(refs));
        var full = Math.Max(h, w) / 2f;
        ry = Or(found, ry, (h - 1) / 2f);
        rx = Or(found, rx, (w - 1) / 2f);
        rh = Or(found, rh, full);

        // Pixel p of the output samples the reference at c_r + (p − c_t)·a, a = h_r / h_t; as an affine map of
        // grid_sample's normalised coordinates (align_corners false): u_ref = a·u + a − 1 + (2(c_r − a·c_t) + 1 − a) / S.
        var a = rh / th;
        var zero = zeros_like(a);
        var theta = stack(
            [stack([a, zero, a - 1 + (((2 * (rx - (a * tx))) + 1 - a) / w)], 1), stack([zero, a, a - 1 + (((2 * (ry - (a * ty))) + 1 - a) / h)], 1)], 1); // (B, 2, 3)
        var grid = nn.functional.affine_grid(theta, [b, 3, h, w], align_corners: false);
        var placed = nn.functional.grid_sample(refs, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);

        var ys = arange(h, dtype: ScalarType.Float32).view(1, h, 1);
        var xs = arange(w, dtype: ScalarType.Float32).view(1, 1, w);
        var square = (ys - ty.view(b, 1, 1)).abs().le(th.view(b, 1, 1) - 0.5f)
            .logical_and((xs - tx.view(b, 1, 1)).abs().le(th.view(b, 1, 1) - 0.5f))
            .logical_and(valid.view(b, 1, 1))
            .to_type(ScalarType.Float32).unsqueeze(1);                                         // (B, 1, H, W)
        return cat([placed * square, square], 1).MoveToOuterDisposeScope();
    }

    /// <summary>Zeroes the hint of the rows where <paramref name="drop"/> is true (the reference is dropped for guidance).</summary>
    /// <param name="hint">(B, 4, S, S).</param>
    /// <param name="drop">(B) bool.</param>
    public static Tensor Drop(Tensor hint, Tensor drop)
    {
        ArgumentNullException.ThrowIfNull(hint);
        ArgumentNullException.ThrowIfNull(drop);
        using var scope = NewDisposeScope();
        return (hint * drop.logical_not().to_type(hint.dtype).view(-1, 1, 1, 1)).MoveToOuterDisposeScope();
    }

    // value where the row's condition holds, else fallback
    private static Tensor Or(Tensor condition, Tensor value, float fallback) => where(condition, value, full_like(value, fallback));

    // (B, 3, H, W) -> (B, H, W) bool: pixels far from the median colour of the image's border.
    private static Tensor Foreground(Tensor reference)
    {
        var (h, w) = (reference.shape[2], reference.shape[3]);
        var border = cat(
            [reference[.., .., 0, ..], reference[.., .., h - 1, ..], reference[.., .., .., 0], reference[.., .., .., w - 1]], 2); // (B, 3, 2W + 2H)
        var (sorted, _) = border.sort(2);
        var median = sorted.select(2, sorted.shape[2] / 2);                                     // (B, 3)
        return (reference - median.view(-1, 3, 1, 1)).abs().amax([1]).gt(ForegroundThreshold);
    }

    // (B, H, W) bool -> the centre (y, x) and half side of the square about the set's bounding box, in pixels, and
    // whether the set is non-empty. Half side = (max extent + 1) / 2, so a single pixel gets a square of side 1.
    private static (Tensor Y, Tensor X, Tensor Half, Tensor Any) Square(Tensor on)
    {
        var (h, w) = (on.shape[1], on.shape[2]);
        var rows = on.any(2);                                                                  // (B, H)
        var cols = on.any(1);                                                                  // (B, W)
        var (y0, y1) = Extent(rows, h);
        var (x0, x1) = Extent(cols, w);
        var any = rows.any(1);
        var half = (maximum(y1 - y0, x1 - x0) + 1) / 2;
        return (Or(any, (y0 + y1) / 2, 0f), Or(any, (x0 + x1) / 2, 0f), Or(any, half, 1f), any);

        static (Tensor First, Tensor Last) Extent(Tensor occupied, long n)
        {
            var index = arange(n, dtype: ScalarType.Float32).unsqueeze(0);
            var first = where(occupied, index, (float)n).amin([1]);
            var last = where(occupied, index, -1f).amax([1]);
            return (first, last);
        }
    }
}
