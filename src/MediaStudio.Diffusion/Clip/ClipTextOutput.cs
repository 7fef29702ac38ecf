using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Clip;

/// <summary>What the CLIP text tower returns.</summary>
/// <param name="LastHiddenState">Token states after the final LayerNorm (B, T, D); they condition the UNet.</param>
/// <param name="Pooled">The state at each sequence's eos token (B, D).</param>
public sealed record ClipTextOutput(Tensor LastHiddenState, Tensor Pooled) : IDisposable
{
    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        LastHiddenState.Dispose();
        Pooled.Dispose();
    }
}
