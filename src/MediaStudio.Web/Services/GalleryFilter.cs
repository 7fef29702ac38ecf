using MediaStudio.Core.Assets;

namespace MediaStudio.Web.Services;

/// <summary>What the gallery shows.</summary>
/// <param name="Kind">Outputs, uploads, or both when null.</param>
/// <param name="Text">Text that the settings (prompt, sampler, …), the caption or the file name must contain.</param>
/// <param name="From">The earliest creation time, inclusive.</param>
/// <param name="Until">The latest creation time, exclusive.</param>
/// <param name="Take">The most images listed.</param>
public sealed record GalleryFilter(AssetKind? Kind = null, string? Text = null, DateTimeOffset? From = null, DateTimeOffset? Until = null, int Take = 200);
