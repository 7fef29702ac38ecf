using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Schedulers;

/// <summary>Draws the samplers' noise from a torch generator, on the generator's device, then moves it to the sample's.</summary>
internal static class SamplerNoise
{
    /// <summary>Standard normal noise shaped and typed like <paramref name="like"/>.</summary>
    /// <param name="like">The tensor whose shape, dtype and device the noise takes.</param>
    /// <param name="generator">The generator, or null for the global one on the sample's device.</param>
    /// <returns>N(0, I) noise.</returns>
    public static Tensor Like(Tensor like, Generator? generator)
    {
        var device = generator?.device ?? like.device;
        var noise = randn(like.shape, dtype: like.dtype, device: device, generator: generator);
        if (device.type == like.device.type && device.index == like.device.index)
        {
            return noise;
        }

        using (noise)
        {
            return noise.to(like.device);
        }
    }
}
