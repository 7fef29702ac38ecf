namespace MediaStudio.Diffusion.Schedulers;

/// <summary>Options shared by the samplers.</summary>
public sealed record SamplingOptions
{
    /// <summary>Gets a value indicating whether each x0 prediction is clamped to [-1, 1] (the data range) before it is used. Defaults to false.</summary>
    public bool ClampOriginal { get; init; }

    /// <summary>Gets DDIM's eta (Song et al. 2021, eq. 16): 0 is deterministic, 1 is DDPM-like. Only DDIM reads it. Defaults to 0.</summary>
    public double Eta { get; init; }

    /// <summary>
    /// Gets the step index to stop before, or null to run every step. When set to k, <see cref="Sampling.Run(SamplerKind, NoiseSchedule, Denoiser, TorchSharp.torch.Tensor, int, TorchSharp.torch.Generator?, SamplingOptions?, Action{SamplingStep}?)"/>
    /// runs steps 0 .. k-1 and returns x_t at timestep <c>InferenceTimesteps(steps)[k]</c> in the variance-preserving
    /// space (what the model takes), ready for one more guided prediction with gradient (ReNeg).
    /// </summary>
    public int? StopBeforeStep { get; init; }
}
