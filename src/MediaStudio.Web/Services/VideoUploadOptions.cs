using System.Globalization;

namespace MediaStudio.Web.Services;

/// <summary>Limits on videos uploaded for editing (<c>MediaStudio:VideoUpload</c>); the probe's own limits apply too.</summary>
public sealed class VideoUploadOptions
{
    public const string Section = "MediaStudio:VideoUpload";

    /// <summary>Gets or sets the largest upload in bytes.</summary>
    /// <remarks>Defaults to 200 MiB.</remarks>
    public long MaxBytes { get; set; } = 200L << 20;

    /// <summary>Gets or sets the longest clip accepted for editing.</summary>
    /// <remarks>Defaults to 60 seconds.</remarks>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets the byte limit in words ("200 MB").</summary>
    public string LimitText => string.Create(CultureInfo.InvariantCulture, $"{MaxBytes / (double)(1 << 20):0.#} MB");
}
