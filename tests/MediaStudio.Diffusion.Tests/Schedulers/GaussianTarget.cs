using MediaStudio.Diffusion.Schedulers;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Schedulers;

/// <summary>
/// Data x0 ~ N(mu, s^2 I) has the exact denoiser E[x0 | x_t] = (sqrt(abar) s^2 x_t + (1 - abar) mu) / (abar s^2 + 1 - abar);
/// eps and v follow from it by eps = (x_t - sqrt(abar) x0) / sqrt(1 - abar), v = sqrt(abar) eps - sqrt(1 - abar) x0.
/// A correct sampler driven by it must reproduce N(mu, s^2).
/// </summary>
internal sealed class GaussianTarget(NoiseSchedule schedule, double mean, double std)
{
    public double Mean { get; } = mean;

    public double Std { get; } = std;

    public int Calls { get; private set; }

    /// <summary>The optimal model output in the schedule's prediction type.</summary>
    public Tensor Denoise(Tensor x, Tensor timesteps)
    {
        Calls++;
        using var scope = NewDisposeScope();
        var abar = schedule.AlphaCumprod(timesteps[0].item<long>());
        var variance = Std * Std;
        var x0 = (Math.Sqrt(abar) * variance * x + (1 - abar) * Mean) / (abar * variance + 1 - abar);
        var eps = (x - Math.Sqrt(abar) * x0) / Math.Sqrt(1 - abar);
        var output = schedule.IsVPrediction ? Math.Sqrt(abar) * eps - Math.Sqrt(1 - abar) * x0 : eps;
        return output.MoveToOuterDisposeScope();
    }
}
