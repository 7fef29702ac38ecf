using static TorchSharp.torch;

namespace MediaStudio.Neural.Pat;

/// <summary>Creates the activation named in <see cref="PatNetConfig.Activation"/>.</summary>
internal static class PatActivation
{
    public static nn.Module<Tensor, Tensor> Create(string name) => name switch
    {
        "gelu" => nn.GELU(),
        "relu" => nn.ReLU(),
        _ => throw new ArgumentException($"unknown activation \"{name}\"; use \"gelu\" or \"relu\"", nameof(name)),
    };
}
