using System.ComponentModel.DataAnnotations;

namespace MediaStudio.Jobs.Models;

/// <summary>Where the bundled models are and how much memory loaded models may hold.</summary>
public sealed class ModelRegistryOptions
{
    public const string Section = "MediaStudio:Models";

    /// <summary>Gets or sets the models folder (<c>&lt;name&gt;/config.json</c>, <c>model.safetensors</c>, <c>CARD.md</c>).</summary>
    /// <remarks>Defaults to <c>models</c>, relative to the working directory.</remarks>
    [Required]
    public string Path { get; set; } = "models";

    /// <summary>Gets or sets the bytes of weights kept loaded before least-recently-used models are evicted.</summary>
    /// <remarks>Defaults to 4 GiB. A model in use is never evicted, so the budget can be exceeded while leases are held.</remarks>
    [Range(0, long.MaxValue)]
    public long MemoryBudgetBytes { get; set; } = 4L << 30;
}
