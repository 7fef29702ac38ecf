using MediaStudio.Core.Assets;

namespace MediaStudio.Web.Services;

/// <summary>A stored video upload: the video itself and its frame 1 as a PNG, both job inputs kept out of the gallery.</summary>
/// <param name="Video">The video asset (slot <c>input-video</c>).</param>
/// <param name="FirstFrame">Frame 1 as PNG (slot <c>input-frame</c>), the image the mask is drawn on.</param>
public sealed record VideoUpload(AssetRecord Video, AssetRecord FirstFrame);
