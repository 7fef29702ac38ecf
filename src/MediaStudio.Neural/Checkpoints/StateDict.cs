using static TorchSharp.torch;

namespace MediaStudio.Neural.Checkpoints;

/// <summary>Strict transfer of tensors into a module's state dict (parameters and persistent buffers).</summary>
public static class StateDict
{
    /// <summary>Copies every tensor into the module, requiring exactly the module's keys, shapes and dtypes.</summary>
    /// <remarks>
    /// Nothing is copied unless everything matches. Every problem is listed; the exception's <see cref="CheckpointException.Key"/>
    /// is the first offending key. Tensors are copied onto the module's device.
    /// </remarks>
    /// <param name="module">Target module.</param>
    /// <param name="tensors">Source tensors by key.</param>
    /// <param name="source">Name of the source used in error messages (for example the file name).</param>
    /// <param name="mayBeMissing">Model keys the source may lack (a model grown by new modules); they keep their values. Null: none.</param>
    /// <exception cref="CheckpointException">Missing or unexpected keys, or a shape or dtype mismatch.</exception>
    public static void LoadStrict(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string source = "checkpoint", Func<string, bool>? mayBeMissing = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(tensors);
        var target = module.state_dict();
        var problems = new List<(string Key, string Message)>();
        foreach (var key in target.Keys.Where(k => !tensors.ContainsKey(k) && mayBeMissing?.Invoke(k) != true).Order(StringComparer.Ordinal))
        {
            problems.Add((key, $"missing key '{key}' (the model has it, {source} does not)"));
        }

        foreach (var key in tensors.Keys.Where(k => !target.ContainsKey(k)).Order(StringComparer.Ordinal))
        {
            problems.Add((key, $"unexpected key '{key}' (in {source}, not in the model)"));
        }

        foreach (var (key, expected) in target.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!tensors.TryGetValue(key, out var actual))
            {
                continue;
            }

            if (!actual.shape.SequenceEqual(expected.shape))
            {
                problems.Add((key, $"shape mismatch for '{key}': {source} has {SafeTensors.FormatShape(actual.shape)}, the model expects {SafeTensors.FormatShape(expected.shape)}"));
            }
            else if (actual.dtype != expected.dtype)
            {
                problems.Add((key, $"dtype mismatch for '{key}': {source} has {actual.dtype}, the model expects {expected.dtype}"));
            }
        }

        if (problems.Count > 0)
        {
            var shown = problems.Take(20).Select(p => p.Message);
            var more = problems.Count > 20 ? $"{Environment.NewLine}... and {problems.Count - 20} more" : "";
            throw new CheckpointException(
                $"cannot load {source} strictly: {problems.Count} problem(s):{Environment.NewLine}{string.Join(Environment.NewLine, shown)}{more}",
                problems[0].Key, null);
        }

        using var guard = no_grad();
        foreach (var (key, expected) in target)
        {
            if (tensors.TryGetValue(key, out var value))
            {
                expected.copy_(value);
            }
        }
    }

    /// <summary>Takes a detached CPU copy of the module's state dict.</summary>
    /// <param name="module">Source module.</param>
    /// <returns>Copies by key; the caller owns them.</returns>
    public static Dictionary<string, Tensor> Snapshot(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu().clone(), StringComparer.Ordinal);
    }
}
