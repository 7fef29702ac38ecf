using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Layers;

/// <summary>Sinusoidal timestep embedding followed by a two-layer SiLU MLP (diffusers' <c>Timesteps</c> + <c>TimestepEmbedding</c>).</summary>
/// <remarks>Keys <c>linear_1</c>, <c>linear_2</c> as in diffusers. Stable Diffusion: channels 320, time_embed_dim 1280, flip true, shift 0.</remarks>
public sealed class TimestepEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly long _channels;
    private readonly bool _flipSinToCos;
    private readonly double _downscaleFreqShift;

    private readonly Linear linear_1;
    private readonly Linear linear_2;

    /// <summary>Creates the embedding.</summary>
    /// <param name="channels">Sinusoidal width.</param>
    /// <param name="timeEmbedDim">Output width of the MLP.</param>
    /// <param name="flipSinToCos">Cosines first, as Stable Diffusion does.</param>
    /// <param name="downscaleFreqShift">Frequency shift (Stable Diffusion: 0).</param>
    public TimestepEmbedding(long channels, long timeEmbedDim, bool flipSinToCos = true, double downscaleFreqShift = 0)
        : base(nameof(TimestepEmbedding))
    {
        _channels = channels;
        _flipSinToCos = flipSinToCos;
        _downscaleFreqShift = downscaleFreqShift;
        linear_1 = nn.Linear(channels, timeEmbedDim);
        linear_2 = nn.Linear(timeEmbedDim, timeEmbedDim);
        RegisterComponents();
    }

    // (B) -> (B, Temb)
    public override Tensor forward(Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        var emb = SinusoidalTimestep.Embed(timesteps, _channels, _flipSinToCos, _downscaleFreqShift).to(linear_1.weight!.dtype); // (B, channels)
        return linear_2.forward(nn.functional.silu(linear_1.forward(emb))).MoveToOuterDisposeScope();                          // (B, Temb)
    }
}
