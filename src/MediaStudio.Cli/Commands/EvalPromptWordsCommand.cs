using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Neural.Runtime;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio eval prompt-words</c>: how far apart the UNet's text tower keeps each kind of prompt word.</summary>
internal static class EvalPromptWordsCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var models = new Option<string>("--models") { Description = "Models folder.", DefaultValueFactory = _ => "models" };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 2 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("prompt-words", "How far apart the text tower that conditions the UNet keeps place, colour, shape and size words (cosines of its states).")
        {
            models, threads, json,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            using var pipeline = TextToImagePipeline.Load(parse.GetValue(models)!);
            var rows = PromptWordSeparation.Measure(pipeline);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows, Indented));
                return 0;
            }

            var inv = CultureInfo.InvariantCulture;
            var table = new Table().AddColumns("words", "token embeddings", "states from the word on", "end token");
            foreach (var row in rows)
            {
                table.AddRow(
                    Markup.Escape($"{row.Group}: {string.Join(", ", row.Words)}"),
                    row.EmbeddingCosine.ToString("F3", inv), row.StateCosine.ToString("F3", inv), row.EndCosine.ToString("F3", inv));
            }

            AnsiConsole.MarkupLine(Markup.Escape($"Mean pairwise cosine when one word of \"{PromptWordSeparation.Template}\" is swapped (1 = the word changes nothing):"));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
