using TorchSharp;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Runtime;

/// <summary>Pixel bytes to the [-1, 1] floats every image model here reads.</summary>
public static class PixelTensors
{
    /// <summary>Maps a byte (or integer) tensor of 0..255 values to float32 in [-1, 1]; any shape.</summary>
    /// <remarks>The scalars are explicit and live to the end of the call: an implicit <see cref="Scalar"/> temporary
    /// may be finalized by the GC while libtorch still reads it (seen once as "Unknown scalar type" in a long run).</remarks>
    public static Tensor ToUnitRange(Tensor bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        using var scale = (1.0 / 127.5).ToScalar();
        using var one = 1.0.ToScalar();
        using var floats = bytes.to_type(ScalarType.Float32);
        return floats.mul(scale).sub_(one); // mul copies: a float input is never changed
    }
}
