namespace MediaStudio.Jobs.Captions;

/// <summary>How the studio captions its images (<c>MediaStudio:Captions</c>).</summary>
public sealed class CaptionOptions
{
    public const string Section = "MediaStudio:Captions";

    /// <summary>The captioner's folder under the models path.</summary>
    public const string ModelFolderName = "captioner-student";

    /// <summary>The captioner's folder under <paramref name="modelsRoot"/>.</summary>
    public static string ModelFolder(string modelsRoot) => Path.Combine(modelsRoot, ModelFolderName);

    /// <summary>Whether the captioner is installed under <paramref name="modelsRoot"/> (its config and weights are present).</summary>
    public static bool IsInstalled(string modelsRoot)
    {
        var folder = ModelFolder(modelsRoot);
        return File.Exists(Path.Combine(folder, "config.json")) && File.Exists(Path.Combine(folder, "model.safetensors"));
    }

    /// <summary>Gets or sets whether every image a render job outputs is queued for captioning when the job succeeds.</summary>
    /// <remarks>Defaults to true. Nothing is queued while the captioner model is not installed.</remarks>
    public bool AutoCaption { get; set; } = true;
}
