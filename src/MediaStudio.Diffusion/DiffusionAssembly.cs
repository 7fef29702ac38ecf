namespace MediaStudio.Diffusion;

/// <summary>Marks the diffusion model-family assembly; models and pipelines arrive with issue #5.</summary>
public static class DiffusionAssembly
{
    public const string Name = "MediaStudio.Diffusion";
}
