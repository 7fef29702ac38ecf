using static TorchSharp.torch;

namespace MediaStudio.Neural.Training;

/// <summary>Exponential moving average of a model's weights (Polyak averaging), as diffusers' EMAModel keeps it.</summary>
/// <remarks>
/// Notation: theta model parameters, theta_ema the shadow, n updates so far, beta decay.
/// theta_ema = beta_n theta_ema + (1 - beta_n) theta, beta_n = min(beta, (1 + n) / (10 + n)) with warm-up, else beta.
/// Floating buffers (BatchNorm running statistics) are copied, not averaged; integer buffers are copied.
/// The shadow lives on the model's device and is keyed like the model's state dict.
/// </remarks>
public sealed class ExponentialMovingAverage : IDisposable
{
    private readonly Dictionary<string, Tensor> _shadow;
    private readonly HashSet<string> _parameterKeys;

    /// <summary>Creates the average, starting from the model's current weights.</summary>
    /// <param name="model">Model to follow.</param>
    /// <param name="decay">beta in [0, 1).</param>
    /// <param name="warmup">Ramp the decay over the first updates.</param>
    public ExponentialMovingAverage(nn.Module model, double decay, bool warmup = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(decay);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(decay, 1);
        Decay = decay;
        Warmup = warmup;
        _parameterKeys = model.named_parameters().Select(p => p.name).ToHashSet(StringComparer.Ordinal);
        _shadow = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope(), StringComparer.Ordinal);
    }

    /// <summary>Gets the target decay beta.</summary>
    public double Decay { get; }

    /// <summary>Gets a value indicating whether the decay ramps up over the first updates.</summary>
    public bool Warmup { get; }

    /// <summary>Gets or sets the number of updates applied so far (restored on resume).</summary>
    public long Updates { get; set; }

    /// <summary>Gets the shadow weights by state-dict key.</summary>
    public IReadOnlyDictionary<string, Tensor> Shadow => _shadow;

    /// <summary>Gets the decay used by update number <paramref name="updates"/> (0-based).</summary>
    /// <param name="updates">Updates applied before this one.</param>
    /// <returns>beta_n.</returns>
    public double DecayAt(long updates) => Warmup ? Math.Min(Decay, (1.0 + updates) / (10.0 + updates)) : Decay;

    /// <summary>Moves the shadow towards the model's current weights.</summary>
    /// <param name="model">The model being trained (same structure as at construction).</param>
    public void Update(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var beta = DecayAt(Updates);
        using var guard = no_grad();
        foreach (var (key, value) in model.state_dict())
        {
            var shadow = _shadow[key];
            if (_parameterKeys.Contains(key) && shadow.is_floating_point())
            {
                shadow.lerp_(value, 1 - beta);
            }
            else
            {
                shadow.copy_(value);
            }
        }

        Updates++;
    }

    /// <summary>Copies the shadow into a model, for evaluation or export.</summary>
    /// <param name="model">Target model with the same structure.</param>
    public void CopyTo(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var guard = no_grad();
        foreach (var (key, value) in model.state_dict())
        {
            value.copy_(_shadow[key]);
        }
    }

    /// <summary>Overwrites the shadow from saved tensors keyed like the model's state dict.</summary>
    /// <param name="tensors">Saved shadow; every key must be present with the same shape.</param>
    public void Load(IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        using var guard = no_grad();
        foreach (var (key, shadow) in _shadow)
        {
            if (!tensors.TryGetValue(key, out var saved))
            {
                throw new Checkpoints.CheckpointException($"EMA state lacks key '{key}'", key, null);
            }

            shadow.copy_(saved);
        }
    }

    /// <summary>Disposes the shadow tensors.</summary>
    public void Dispose()
    {
        foreach (var t in _shadow.Values)
        {
            t.Dispose();
        }

        _shadow.Clear();
    }
}
