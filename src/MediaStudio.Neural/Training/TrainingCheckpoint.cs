using System.Text.Json;
using System.Text.Json.Serialization;
using MediaStudio.Neural.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Training;

/// <summary>Saves and restores a whole training state in one safetensors file written atomically.</summary>
/// <remarks>
/// Keys: <c>model.*</c> (state dict), <c>ema.*</c> (EMA shadow, when on), <c>optimizer.torchsharp</c> (AdamW's moments and
/// step counts in TorchSharp's own binary format, stored as a U8 tensor; no pickle), <c>rng.cpu</c> (torch's CPU RNG state).
/// The step, seed and EMA update count sit in the header metadata under "trainer". Because the file is replaced by a
/// rename, a process killed mid-save leaves the previous checkpoint intact; a torn file cannot appear under the name.
/// CUDA RNG state is not saved (TorchSharp exposes only the CPU generator's state).
/// </remarks>
public static class TrainingCheckpoint
{
    /// <summary>The format tag stored in the metadata.</summary>
    public const string Format = "mediastudio-train-checkpoint/1";

    private const string ModelPrefix = "model.";
    private const string EmaPrefix = "ema.";
    private const string OptimizerKey = "optimizer.torchsharp";
    private const string RngKey = "rng.cpu";

    /// <summary>Writes the training state.</summary>
    /// <param name="path">Checkpoint file.</param>
    /// <param name="state">What to save.</param>
    public static void Save(string path, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in state.Model.state_dict())
        {
            tensors[ModelPrefix + key] = value;
        }

        if (state.Ema is not null)
        {
            foreach (var (key, value) in state.Ema.Shadow)
            {
                tensors[EmaPrefix + key] = value;
            }
        }

        using (var buffer = new MemoryStream())
        {
            using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                state.Optimizer.save_state_dict(writer);
            }

            tensors[OptimizerKey] = tensor(buffer.ToArray());
        }

        tensors[RngKey] = random.get_rng_state();
        var info = new TrainerInfo(state.Step, state.Seed, state.Ema?.Updates ?? 0);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["trainer"] = JsonSerializer.Serialize(info),
        };
        SafeTensors.Save(path, tensors, metadata);
    }

    /// <summary>Restores a training state saved by <see cref="Save"/> into freshly built objects.</summary>
    /// <param name="path">Checkpoint file.</param>
    /// <param name="model">Model with the saved structure; loaded strictly.</param>
    /// <param name="optimizer">Optimizer over the model's parameters, built the same way as when saved.</param>
    /// <param name="ema">EMA to restore, or null when the run has none.</param>
    /// <returns>The saved step and seed.</returns>
    /// <exception cref="CheckpointException">The file is corrupt, truncated or does not fit the model.</exception>
    public static TrainerInfo Load(string path, nn.Module model, OptimizerHelper optimizer, ExponentialMovingAverage? ema)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        var header = SafeTensors.ReadHeader(path);
        if (!header.Metadata.TryGetValue("format", out var format) || format != Format || !header.Metadata.TryGetValue("trainer", out var trainerJson))
        {
            throw new CheckpointException($"{path} is not a training checkpoint ({Format})");
        }

        var info = JsonSerializer.Deserialize<TrainerInfo>(trainerJson)
            ?? throw new CheckpointException($"{path}: the trainer metadata is null");
        using var scope = NewDisposeScope();
        var tensors = SafeTensors.Load(path);
        var modelTensors = Section(tensors, ModelPrefix);
        StateDict.LoadStrict(model, modelTensors, $"{Path.GetFileName(path)} (model.*)");
        if (ema is not null)
        {
            ema.Load(Section(tensors, EmaPrefix));
            ema.Updates = info.EmaUpdates;
        }

        if (!tensors.TryGetValue(OptimizerKey, out var optimizerBytes) || !tensors.TryGetValue(RngKey, out var rng))
        {
            throw new CheckpointException($"{path} lacks '{OptimizerKey}' or '{RngKey}'");
        }

        using (var reader = new BinaryReader(new MemoryStream(optimizerBytes.data<byte>().ToArray())))
        {
            optimizer.load_state_dict(reader);
        }

        random.set_rng_state(rng);
        return info;
    }

    private static Dictionary<string, Tensor> Section(Dictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[prefix.Length..], p => p.Value, StringComparer.Ordinal);
}

/// <summary>The scalar part of a training checkpoint.</summary>
/// <param name="Step">Steps completed when saved.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="EmaUpdates">EMA updates applied when saved.</param>
public sealed record TrainerInfo(
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("seed")] long Seed,
    [property: JsonPropertyName("ema_updates")] long EmaUpdates);

/// <summary>What <see cref="TrainingCheckpoint.Save"/> writes.</summary>
/// <param name="Model">The model being trained.</param>
/// <param name="Optimizer">Its optimizer.</param>
/// <param name="Ema">Its EMA, or null.</param>
/// <param name="Step">Steps completed.</param>
/// <param name="Seed">The run's seed.</param>
public sealed record TrainingState(nn.Module Model, OptimizerHelper Optimizer, ExponentialMovingAverage? Ema, long Step, long Seed);
