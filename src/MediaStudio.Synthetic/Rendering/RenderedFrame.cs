using MediaStudio.Media.Images;

namespace MediaStudio.Synthetic.Rendering;

/// <summary>A rendered image with its instance map (0 = background, k = object k-1 on top at that pixel).</summary>
public sealed record RenderedFrame(RgbImage Image, byte[] Instances);
