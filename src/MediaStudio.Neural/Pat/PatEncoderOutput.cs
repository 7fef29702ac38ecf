using static TorchSharp.torch;

namespace MediaStudio.Neural.Pat;

/// <summary>What a <see cref="PatEncoder"/> returns: pooled features and, on request, each stage's feature map.</summary>
/// <param name="Pooled">Pooled feature (B, PooledDim).</param>
/// <param name="FeatureMaps">Stage outputs (B, C_i, H_i, W_i), first stage first; empty unless requested.</param>
public sealed record PatEncoderOutput(Tensor Pooled, IReadOnlyList<Tensor> FeatureMaps) : IDisposable
{
    /// <summary>Disposes the pooled feature and every feature map.</summary>
    public void Dispose()
    {
        Pooled.Dispose();
        foreach (var map in FeatureMaps)
        {
            map.Dispose();
        }
    }
}
