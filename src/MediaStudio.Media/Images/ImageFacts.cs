namespace MediaStudio.Media.Images;

/// <summary>What an accepted image is.</summary>
/// <param name="Format">PNG, JPEG, WebP or GIF.</param>
/// <param name="MediaType">The IANA media type to serve it with.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
public sealed record ImageFacts(string Format, string MediaType, int Width, int Height);
