using System.Globalization;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Checkpoints;

/// <summary>Saves and loads a model folder: <c>config.json</c>, <c>model.safetensors</c>, <c>CARD.md</c> and a <c>SHA256SUMS</c> manifest.</summary>
/// <remarks>
/// Layout of <c>models/&lt;name&gt;/</c>: the config record as snake_case JSON, the weights as safetensors (never a pickle),
/// a human-readable card, and the SHA-256 of the config and the weights. Loading checks the hashes first, then
/// validates the config, builds the model, loads it strictly, and only then moves it to the device and dtype.
/// </remarks>
public static class ModelFolder
{
    /// <summary>The config file name.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The weights file name.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>The model card file name.</summary>
    public const string CardFileName = "CARD.md";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Writes a model folder; every file is written atomically and the manifest last.</summary>
    /// <typeparam name="TConfig">Config record type.</typeparam>
    /// <param name="folder">Target folder, created when missing.</param>
    /// <param name="model">Model whose state dict is saved.</param>
    /// <param name="config">Config the model was built from.</param>
    /// <param name="card">Markdown card; a short generated card (name, type, parameter count, config) when null.</param>
    public static void Save<TConfig>(string folder, nn.Module model, TConfig config, string? card = null)
        where TConfig : IModelConfig
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Directory.CreateDirectory(folder);
        var configJson = JsonSerializer.Serialize(config, JsonOptions);
        AtomicFile.WriteAllText(Path.Combine(folder, ConfigFileName), configJson + "\n");
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["model"] = model.GetType().Name };
        SafeTensors.Save(Path.Combine(folder, WeightsFileName), model.state_dict(), metadata);
        AtomicFile.WriteAllText(Path.Combine(folder, CardFileName), card ?? DefaultCard(folder, model, configJson));
        Sha256Manifest.Write(folder, [ConfigFileName, WeightsFileName]);
    }

    /// <summary>Reads and validates the folder's config after checking its SHA-256.</summary>
    /// <typeparam name="TConfig">Config record type.</typeparam>
    /// <param name="folder">Model folder.</param>
    /// <returns>The validated config.</returns>
    /// <exception cref="CheckpointException">The config is missing, unlisted, altered or not valid JSON for the type.</exception>
    public static TConfig ReadConfig<TConfig>(string folder)
        where TConfig : IModelConfig
    {
        Sha256Manifest.Verify(folder, ConfigFileName);
        TConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<TConfig>(File.ReadAllText(Path.Combine(folder, ConfigFileName)));
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{ConfigFileName} in {folder} is not a valid {typeof(TConfig).Name}: {e.Message}", e);
        }

        if (config is null)
        {
            throw new CheckpointException($"{ConfigFileName} in {folder} is null");
        }

        config.Validate();
        return config;
    }

    /// <summary>Checks the weights' SHA-256 and loads them strictly into a model.</summary>
    /// <param name="folder">Model folder.</param>
    /// <param name="model">Target model, on any device.</param>
    /// <param name="mayBeMissing">Model keys the folder may lack (a model grown by new modules that start neutral); they keep their values. Null: none.</param>
    public static void LoadWeights(string folder, nn.Module model, Func<string, bool>? mayBeMissing = null)
    {
        Sha256Manifest.Verify(folder, WeightsFileName);
        using var scope = NewDisposeScope();
        var tensors = SafeTensors.Load(Path.Combine(folder, WeightsFileName));
        StateDict.LoadStrict(model, tensors, WeightsFileName, mayBeMissing);
    }

    /// <summary>Builds a model from a folder: hashes, config, strict weights, then device and dtype.</summary>
    /// <typeparam name="TModel">Model type.</typeparam>
    /// <typeparam name="TConfig">Config record type.</typeparam>
    /// <param name="folder">Model folder.</param>
    /// <param name="create">Builds an untrained model from the config (weights are overwritten).</param>
    /// <param name="device">Target device; CPU when null.</param>
    /// <param name="dtype">Target floating dtype; the stored dtype when null.</param>
    /// <returns>The loaded model in eval mode.</returns>
    public static TModel FromPretrained<TModel, TConfig>(string folder, Func<TConfig, TModel> create, Device? device = null, ScalarType? dtype = null)
        where TModel : nn.Module
        where TConfig : IModelConfig
    {
        ArgumentNullException.ThrowIfNull(create);
        var config = ReadConfig<TConfig>(folder);
        var model = create(config);
        try
        {
            LoadWeights(folder, model);
            if (dtype is { } type)
            {
                model.to(type);
            }

            if (device is not null)
            {
                model.to(device);
            }

            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static string DefaultCard(string folder, nn.Module model, string configJson)
    {
        var parameters = model.parameters().Sum(p => p.numel());
        var card = new StringBuilder();
        card.Append(CultureInfo.InvariantCulture, $"# {Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)))}\n\n");
        card.Append(CultureInfo.InvariantCulture, $"- Architecture: {model.GetType().Name}\n");
        card.Append(CultureInfo.InvariantCulture, $"- Parameters: {parameters:N0}\n");
        card.Append("- Weights: model.safetensors (SHA-256 in SHA256SUMS)\n\n## Config\n\n```json\n");
        card.Append(configJson).Append("\n```\n");
        return card.ToString();
    }
}
