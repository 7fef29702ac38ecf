using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Clips;

namespace MediaStudio.Synthetic.Metrics;

/// <summary>Temporal consistency of a clip measured along (ground-truth) optical flow.</summary>
/// <remarks>
/// Notation: V_t frame t in [0, 1], F_t the forward flow t→t+1, W(V_{t+1}, F_t) frame t+1 warped onto frame t,
/// M_t = 1 − occlusion_t. Flow warping error follows Lai et al. 2018 ("Learning Blind Video Temporal
/// Consistency", eq. 9): E_warp = 1/(T−1) Σ_t Σ_p M_t(p) ‖V_t(p) − W(V_{t+1}, F_t)(p)‖² / Σ_p M_t(p), per channel.
/// Flicker is the mean absolute change of mean luma over the same non-occluded pixels between V_t and the warped
/// V_{t+1}: global brightness pumping that E_warp averages away.
/// </remarks>
public static class TemporalMetrics
{
    /// <summary>Returns the mean flow warping error (MSE on a [0, 1] scale) over consecutive frame pairs.</summary>
    public static double WarpingError(IReadOnlyList<RgbImage> frames, IReadOnlyList<FlowField> forwardFlow, IReadOnlyList<byte[]> occlusions)
    {
        Check(frames, forwardFlow, occlusions);
        double total = 0;
        for (var t = 0; t + 1 < frames.Count; t++)
        {
            var warped = ClipRenderer.Warp(frames[t + 1], forwardFlow[t]);
            total += ImageMetrics.Mse(frames[t], warped, occlusions[t], inside: false) / (255.0 * 255.0);
        }

        return total / (frames.Count - 1);
    }

    /// <summary>Returns the mean absolute change of mean luma (on a [0, 1] scale) between flow-aligned consecutive frames.</summary>
    public static double Flicker(IReadOnlyList<RgbImage> frames, IReadOnlyList<FlowField> forwardFlow, IReadOnlyList<byte[]> occlusions)
    {
        Check(frames, forwardFlow, occlusions);
        double total = 0;
        for (var t = 0; t + 1 < frames.Count; t++)
        {
            var warped = ClipRenderer.Warp(frames[t + 1], forwardFlow[t]);
            total += Math.Abs(MeanLuma(frames[t], occlusions[t]) - MeanLuma(warped, occlusions[t]));
        }

        return total / (frames.Count - 1);
    }

    private static double MeanLuma(RgbImage image, byte[] occlusion)
    {
        double sum = 0;
        long n = 0;
        for (var i = 0; i < image.Width * image.Height; i++)
        {
            if (occlusion[i] != 0)
            {
                continue;
            }

            sum += (0.299 * image.Pixels[i * 3]) + (0.587 * image.Pixels[(i * 3) + 1]) + (0.114 * image.Pixels[(i * 3) + 2]);
            n++;
        }

        return n == 0 ? 0 : sum / n / 255.0;
    }

    private static void Check(IReadOnlyList<RgbImage> frames, IReadOnlyList<FlowField> forwardFlow, IReadOnlyList<byte[]> occlusions)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(forwardFlow);
        ArgumentNullException.ThrowIfNull(occlusions);
        if (frames.Count < 2 || forwardFlow.Count != frames.Count - 1 || occlusions.Count != frames.Count - 1)
        {
            throw new ArgumentException(
                $"need T >= 2 frames with T-1 flows and occlusion masks; got {frames.Count}, {forwardFlow.Count}, {occlusions.Count}", nameof(frames));
        }
    }
}
