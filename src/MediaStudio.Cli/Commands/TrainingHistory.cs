using System.Text.Json;
using System.Text.Json.Serialization;
using MediaStudio.Neural.Checkpoints;

namespace MediaStudio.Cli.Commands;

/// <summary>
/// Every command that trained a bundled model and their summed wall-clock seconds, kept as <c>training.json</c> in the
/// model folder, so a run that starts from the model's weights (<c>--init-from</c>) puts the whole history on its card.
/// </summary>
/// <param name="Commands">Command lines, oldest first.</param>
/// <param name="Seconds">Training seconds over all of them.</param>
internal sealed record TrainingHistory(
    [property: JsonPropertyName("commands")] IReadOnlyList<string> Commands,
    [property: JsonPropertyName("training_seconds")] double Seconds)
{
    /// <summary>The file name in a model folder.</summary>
    public const string FileName = "training.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Reads a folder's history; a folder without one gives a note in place of its commands and no seconds.</summary>
    /// <exception cref="JsonException">The file is not a history.</exception>
    public static (string[] Commands, double Seconds) Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return ([$"(weights of {folder}; its {FileName} is missing)"], 0);
        }

        var history = JsonSerializer.Deserialize<TrainingHistory>(File.ReadAllText(path)) ?? throw new JsonException($"{path} is empty");
        return ([.. history.Commands], history.Seconds);
    }

    /// <summary>Writes the history into a model folder.</summary>
    public void Write(string folder) =>
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this with { Seconds = Math.Round(Seconds, 1) }, Indented) + "\n");
}
