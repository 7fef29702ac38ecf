using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>Mean and standard deviation of every element of a stream of tensors, accumulated in float64.</summary>
/// <remarks>mean = S1 / n, std = sqrt(S2 / n - mean^2) (population); S1, S2 the sums of x and x^2.</remarks>
public sealed class RunningMoments
{
    private double _sum;
    private double _sumOfSquares;

    /// <summary>Gets the number of elements seen.</summary>
    public long Count { get; private set; }

    /// <summary>Gets the mean, NaN before any element.</summary>
    public double Mean => Count == 0 ? double.NaN : _sum / Count;

    /// <summary>Gets the population standard deviation, NaN before any element.</summary>
    public double Std => Count == 0 ? double.NaN : Math.Sqrt(Math.Max(0, (_sumOfSquares / Count) - (Mean * Mean)));

    /// <summary>Adds every element of a tensor.</summary>
    /// <param name="values">Any shape.</param>
    public void Add(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var scope = NewDisposeScope();
        var x = values.detach().to(ScalarType.Float64);
        _sum += x.sum().item<double>();
        _sumOfSquares += x.square().sum().item<double>();
        Count += values.numel();
    }
}
