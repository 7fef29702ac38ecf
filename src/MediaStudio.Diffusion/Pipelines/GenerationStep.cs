using MediaStudio.Media.Images;

namespace MediaStudio.Diffusion.Pipelines;

/// <summary>Progress of a generation after one sampler step.</summary>
/// <param name="Image">0-based index of the image (or first image of the batch) being sampled.</param>
/// <param name="Images">Images in the request.</param>
/// <param name="Step">Sampler steps done for it.</param>
/// <param name="Steps">Sampler steps per image.</param>
/// <param name="Preview">Decodes the current clean-image estimate of the first image in the batch; costs one
/// autoencoder decode, so call it only when a preview is wanted.</param>
public sealed record GenerationStep(int Image, int Images, int Step, int Steps, Func<RgbImage> Preview)
{
    /// <summary>Gets the completed fraction of the whole request in [0, 1].</summary>
    public double Fraction => Images == 0 || Steps == 0 ? 1 : Math.Clamp((Image + ((double)Step / Steps)) / Images, 0, 1);
}
