using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Schedulers;

/// <summary>
/// A sampler in diffusers' shape: it fixes its timesteps on creation, scales the initial noise and the model input,
/// and maps one model output to the next sample. Steps must be taken in order 0, 1, ... (multistep samplers keep
/// the previous x0 prediction, which <see cref="IDisposable.Dispose"/> releases).
/// </summary>
public interface ISampler : IDisposable
{
    /// <summary>Gets the sampler kind.</summary>
    SamplerKind Kind { get; }

    /// <summary>Gets the training timesteps visited, noisiest first.</summary>
    IReadOnlyList<long> Timesteps { get; }

    /// <summary>Turns unit Gaussian noise into the first sample in the sampler's own space.</summary>
    /// <param name="noise">N(0, I) noise (B, ...).</param>
    /// <returns>A new tensor.</returns>
    Tensor InitialSample(Tensor noise);

    /// <summary>Maps the sampler's sample at step <paramref name="stepIndex"/> to the model's (variance-preserving) input x_t.</summary>
    /// <param name="sample">The current sample.</param>
    /// <param name="stepIndex">The step index (may equal the step count for the final sample).</param>
    /// <returns>x_t; the same tensor when the sampler works in the model's space.</returns>
    Tensor ScaleModelInput(Tensor sample, int stepIndex);

    /// <summary>Takes step <paramref name="stepIndex"/>.</summary>
    /// <param name="modelOutput">The model output for the scaled input at this step's timestep.</param>
    /// <param name="stepIndex">The step index.</param>
    /// <param name="sample">The current sample.</param>
    /// <param name="generator">The source of the step's noise, if the sampler is stochastic.</param>
    /// <returns>The next sample and the x0 prediction.</returns>
    SamplerStepResult TakeStep(Tensor modelOutput, int stepIndex, Tensor sample, Generator? generator);
}
