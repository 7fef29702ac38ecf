using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>Mixes information across the frames of a clip at the UNet's insertion points (the video editor's motion modules and motion reference).</summary>
/// <remarks>
/// The editor runs frames as a batch (B·F, C, h, w), clip-major (row b·F + f is frame f of clip b). Point i is after
/// down level i for i &lt; L, after the mid block for i = L, after up level i − L − 1 for i &gt; L (L levels).
/// </remarks>
public interface IFrameMixer
{
    /// <summary>Returns the mixed feature map (B·F, C, h, w) at insertion point <paramref name="point"/>.</summary>
    Tensor Mix(Tensor x, int point);
}
