using static TorchSharp.torch;

namespace MediaStudio.Neural.Layers;

/// <summary>Sinusoidal timestep embedding (Vaswani et al., 2017; diffusers' <c>get_timestep_embedding</c>).</summary>
/// <remarks>
/// Notation: t timesteps (B), D embedding width, h = D / 2, P max period.
/// freq_k = exp(-ln(P) * k / (h - shift)), k = 0..h-1; e = scale * t * freq; emb = [sin(e), cos(e)] (or [cos, sin]
/// when flipped, as Stable Diffusion uses: flip = true, shift = 0). An odd D is zero-padded by one column.
/// </remarks>
public static class SinusoidalTimestep
{
    /// <summary>Embeds timesteps.</summary>
    /// <param name="timesteps">Timesteps (B), integer or fractional.</param>
    /// <param name="dim">Embedding width D.</param>
    /// <param name="flipSinToCos">Put the cosines first (Stable Diffusion: true).</param>
    /// <param name="downscaleFreqShift">Shift in the frequency denominator (Stable Diffusion: 0; DDPM: 1).</param>
    /// <param name="scale">Multiplies the arguments.</param>
    /// <param name="maxPeriod">Longest period P.</param>
    /// <returns>(B, D) float32 embedding on the timesteps' device.</returns>
    // (B) -> (B, D)
    public static Tensor Embed(Tensor timesteps, long dim, bool flipSinToCos = true, double downscaleFreqShift = 0, double scale = 1, double maxPeriod = 10000)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 2);
        if (timesteps.dim() != 1)
        {
            throw new ArgumentException($"timesteps must be 1-D (B), got shape [{string.Join(", ", timesteps.shape)}]", nameof(timesteps));
        }

        using var scope = NewDisposeScope();
        var half = dim / 2;
        var exponent = arange(half, dtype: ScalarType.Float32, device: timesteps.device) * (-Math.Log(maxPeriod) / (half - downscaleFreqShift)); // (h)
        var args = timesteps.to(ScalarType.Float32).unsqueeze(1) * exponent.exp().unsqueeze(0) * scale;        // (B, h)
        var emb = flipSinToCos ? cat([args.cos(), args.sin()], dim: -1) : cat([args.sin(), args.cos()], dim: -1); // (B, 2h)
        if (dim % 2 == 1)
        {
            emb = nn.functional.pad(emb, [0, 1]);                                                               // (B, D)
        }

        return emb.MoveToOuterDisposeScope();
    }
}
