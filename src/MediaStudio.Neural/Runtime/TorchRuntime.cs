using static TorchSharp.torch;

namespace MediaStudio.Neural.Runtime;

/// <summary>Process-wide libtorch settings and a load probe.</summary>
public static class TorchRuntime
{
    /// <summary>Sets the intra-op thread count; workers call this explicitly so training and serving do not oversubscribe cores.</summary>
    /// <param name="threads">Threads to use; 0 or less means every core.</param>
    public static void SetThreads(int threads)
    {
        set_num_threads(threads > 0 ? threads : Environment.ProcessorCount);
    }

    /// <summary>Runs one real tensor operation, proving the native library loaded.</summary>
    /// <returns>A one-line description of the runtime.</returns>
    public static string Probe()
    {
        using var scope = NewDisposeScope();
        var a = arange(1, 5, dtype: ScalarType.Float32).reshape(2, 2); // (2, 2)
        var product = matmul(a, a).sum().item<float>();                // [[7,10],[15,22]] sums to 54
        if (Math.Abs(product - 54f) > 1e-4f)
        {
            throw new InvalidOperationException($"libtorch returned {product} for a 2x2 matmul checksum, expected 54");
        }

        return $"libtorch on {(cuda.is_available() ? "cuda" : "cpu")}, {get_num_threads()} threads";
    }
}
