using MediaStudio.Jobs.Models;
using MediaStudio.Language.Captioning;

namespace MediaStudio.Jobs.Captions;

/// <summary>The bundled captioner (<c>models/captioner-student</c>) through the model registry: loaded once, shared by jobs.</summary>
public sealed class CaptionerAccess(ModelRegistry registry, string modelsRoot)
{
    private const string RegistryKey = "captioner";

    /// <summary>Gets the captioner's model folder.</summary>
    public string Folder { get; } = CaptionOptions.ModelFolder(modelsRoot);

    /// <summary>Gets whether the captioner is installed (its config and weights are present).</summary>
    public bool IsInstalled => CaptionOptions.IsInstalled(modelsRoot);

    /// <summary>Leases the captioner, loading it on a worker thread the first time.</summary>
    public Task<ModelLease<CaptionPipeline>> AcquireAsync(CancellationToken cancellationToken) =>
        registry.AcquireAsync(RegistryKey, token => Task.Run(() =>
        {
            var pipeline = CaptionPipeline.Load(Folder);
            // the weights file is the model's memory, near enough for the registry's budget
            return new LoadedModel<CaptionPipeline>(pipeline, new FileInfo(Path.Combine(Folder, "model.safetensors")).Length);
        }, token), cancellationToken);
}
