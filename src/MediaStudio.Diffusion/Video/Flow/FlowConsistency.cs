using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Flow;

/// <summary>
/// Forward-backward consistency of a flow pair: where following F_fg and then F_gf does not come back to the start,
/// the correspondence is occluded or wrong (Sundaram, Brox and Keutzer 2010, eq. 5; the soft weight of the IVEDiff
/// MotRefNet notes).
/// </summary>
/// <remarks>
/// Notation: F_fg (B, 2, H, W) the forward flow on frame f's grid (f -> g), F_gf (B, 2, H, W) the backward flow on
/// frame g's grid (g -> f), p a pixel of f. The round-trip error is d(p) = F_fg(p) + F_gf(p + F_fg(p)), where
/// F_gf is sampled by <see cref="FlowWarp.Warp"/>. Soft weight: w(p) = exp(-|d(p)|² / σ²), zero where p + F_fg(p)
/// leaves the frame. Hard occlusion (Sundaram eq. 5): |d|² &gt; α₁ (|F_fg|² + |F_gf∘|²) + α₂.
/// </remarks>
public static class FlowConsistency
{
    /// <summary>The round-trip error d (B, 2, H, W).</summary>
    public static Tensor RoundTrip(Tensor forward, Tensor backward)
    {
        Check(forward, backward);
        using var scope = NewDisposeScope();
        return (forward + FlowWarp.Warp(backward, forward)).MoveToOuterDisposeScope();
    }

    /// <summary>Soft validity weights w = exp(-|d|² / σ²), 0 outside the frame.</summary>
    /// <param name="forward">F_fg (B, 2, H, W).</param>
    /// <param name="backward">F_gf (B, 2, H, W).</param>
    /// <param name="sigma">σ in pixels: a round trip off by σ gets weight e⁻¹.</param>
    /// <returns>(B, 1, H, W) in [0, 1].</returns>
    public static Tensor Weights(Tensor forward, Tensor backward, double sigma = 1.0)
    {
        if (!(sigma > 0) || !double.IsFinite(sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be a positive number of pixels");
        }

        using var scope = NewDisposeScope();
        var d = RoundTrip(forward, backward);
        var squared = d.square().sum(1, keepdim: true); // (B, 1, H, W)
        return (exp(-squared / (sigma * sigma)) * FlowWarp.InFrame(forward)).MoveToOuterDisposeScope();
    }

    /// <summary>Hard occlusion mask: 1 where the round trip fails Sundaram's test or p + F_fg(p) leaves the frame.</summary>
    /// <param name="forward">F_fg (B, 2, H, W).</param>
    /// <param name="backward">F_gf (B, 2, H, W).</param>
    /// <param name="alpha1">α₁, the tolerance relative to the flow magnitude (0.01 in the paper).</param>
    /// <param name="alpha2">α₂, the constant tolerance in squared pixels (0.5 in the paper).</param>
    /// <returns>(B, 1, H, W) float, 1 = occluded.</returns>
    public static Tensor Occlusion(Tensor forward, Tensor backward, double alpha1 = 0.01, double alpha2 = 0.5)
    {
        Check(forward, backward);
        using var scope = NewDisposeScope();
        var back = FlowWarp.Warp(backward, forward);
        var d = forward + back;
        var squared = d.square().sum(1, keepdim: true);
        var bound = (alpha1 * (forward.square().sum(1, keepdim: true) + back.square().sum(1, keepdim: true))) + alpha2;
        var occluded = squared.gt(bound).logical_or(FlowWarp.InFrame(forward).lt(0.5));
        return occluded.to_type(forward.dtype).MoveToOuterDisposeScope();
    }

    private static void Check(Tensor forward, Tensor backward)
    {
        FlowWarp.CheckFlow(forward, nameof(forward));
        FlowWarp.CheckFlow(backward, nameof(backward));
        if (!forward.shape.SequenceEqual(backward.shape))
        {
            throw new ArgumentException(
                $"forward ({string.Join(", ", forward.shape)}) and backward ({string.Join(", ", backward.shape)}) flows differ in shape", nameof(backward));
        }
    }
}
