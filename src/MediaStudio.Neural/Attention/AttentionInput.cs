using MediaStudio.Neural.Caching;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Attention;

/// <summary>The inputs every attention variant takes.</summary>
/// <remarks>
/// Masks use PyTorch's boolean convention: <c>true</c> means "may attend". <see cref="KeyPadding"/> is (B, S) over
/// all keys (cached and new), <see cref="Mask"/> broadcasts to (B, H, T, S). When a <see cref="Cache"/> is given,
/// the new tokens sit at positions <c>Cache.Length</c>… and the causal mask is aligned to the bottom right.
/// </remarks>
/// <param name="Hidden">(B, T, D) hidden states; for <see cref="WindowForm.Local2D"/> T = H·W in row-major order.</param>
public sealed record AttentionInput(Tensor Hidden)
{
    public bool IsCausal { get; init; }

    public Tensor? KeyPadding { get; init; }

    public Tensor? Mask { get; init; }

    public IKvCache? Cache { get; init; }

    public int LayerIndex { get; init; }

    /// <summary>Grid height and width for 2-D window attention.</summary>
    public (int Height, int Width)? Grid { get; init; }
}

/// <summary>The output of an attention layer.</summary>
/// <param name="Hidden">(B, T, D) attended hidden states.</param>
public sealed record AttentionOutput(Tensor Hidden);
