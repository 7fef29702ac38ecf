using MediaStudio.Media.Images;

namespace MediaStudio.Synthetic.Metrics;

/// <summary>Diversity of several samples of one prompt: the mean pairwise distance between them.</summary>
public static class Diversity
{
    /// <summary>Returns the mean over all pairs i &lt; j of <paramref name="distance"/> (default: RMS pixel distance on a [0, 1] scale).</summary>
    public static double MeanPairwiseDistance(IReadOnlyList<RgbImage> samples, Func<RgbImage, RgbImage, double>? distance = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count < 2)
        {
            throw new ArgumentException($"diversity needs at least two samples, got {samples.Count}", nameof(samples));
        }

        distance ??= RmsDistance;
        double total = 0;
        var pairs = 0;
        for (var i = 0; i < samples.Count; i++)
        {
            for (var j = i + 1; j < samples.Count; j++)
            {
                total += distance(samples[i], samples[j]);
                pairs++;
            }
        }

        return total / pairs;
    }

    /// <summary>Returns sqrt(MSE) / 255.</summary>
    public static double RmsDistance(RgbImage a, RgbImage b) => Math.Sqrt(ImageMetrics.Mse(a, b)) / 255.0;
}
