using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Schedulers;

/// <summary>Progress of one sampling step, for previews.</summary>
/// <param name="Index">Zero-based step index.</param>
/// <param name="Total">Number of steps.</param>
/// <param name="Timestep">The training timestep this step denoised from.</param>
/// <param name="PredictedOriginal">The step's x0 prediction (B, ...); valid only during the callback (it is disposed with the step).</param>
public sealed record SamplingStep(int Index, int Total, long Timestep, Tensor PredictedOriginal);

/// <summary>What one sampler step returns.</summary>
/// <param name="Sample">The next sample in the sampler's own space.</param>
/// <param name="PredictedOriginal">The x0 prediction the step used (clamped when the options say so).</param>
public readonly record struct SamplerStepResult(Tensor Sample, Tensor PredictedOriginal);
