using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Schedulers;

/// <summary>
/// A denoising model as the samplers see it: the raw output, in the schedule's prediction type (eps or v), for a
/// noisy sample x_t (B, C, h, w) at int64 timesteps (B).
/// </summary>
/// <param name="x">The noisy sample x_t in the variance-preserving space (B, ...).</param>
/// <param name="timesteps">Training timesteps, int64 (B).</param>
/// <returns>The model output (B, ...).</returns>
public delegate Tensor Denoiser(Tensor x, Tensor timesteps);
