using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using MediaStudio.Synthetic.Recognition;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio eval recognizer</c>: accuracy per attribute on fresh held-out renders.</summary>
internal static class EvalRecognizerCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder.", DefaultValueFactory = _ => "models/recognizer" };
        var samples = new Option<int>("--samples") { Description = "Held-out renders to score.", DefaultValueFactory = _ => 2000 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("recognizer", "Accuracy of the scene recognizer per attribute on fresh held-out renders.")
        {
            model, samples, threads, json,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            using var recognizer = ModelFolder.FromPretrained<SceneRecognizer, RecognizerConfig>(parse.GetValue(model)!, c => new SceneRecognizer(c));
            var evaluation = RecognizerTraining.Evaluate(recognizer, parse.GetValue(samples));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(evaluation, Indented));
            }
            else
            {
                Print(evaluation);
            }

            return 0;
        });
        return command;
    }

    /// <summary><c>mediastudio eval motion-recognizer</c>: accuracy per motion part on held-out clips.</summary>
    public static Command CreateMotion()
    {
        var model = new Option<string>("--model") { Description = "Model folder.", DefaultValueFactory = _ => "models/motion-recognizer" };
        var clips = new Option<int>("--clips") { Description = "Held-out clips to score.", DefaultValueFactory = _ => 1000 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var motion = ClipMotionOption.Create("Held-out clips");
        var command = new Command("motion-recognizer", "Accuracy of the motion recognizer per part (direction, scale change, rotation) on held-out clips.")
        {
            model, clips, threads, json, motion,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            using var recognizer = ModelFolder.FromPretrained<MotionRecognizer, MotionRecognizerConfig>(parse.GetValue(model)!, c => new MotionRecognizer(c));
            var evaluation = MotionRecognizerTraining.Evaluate(recognizer, parse.GetValue(clips), parse.GetValue(motion));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(evaluation, Indented));
            }
            else
            {
                Print(evaluation, "held-out clips");
            }

            return 0;
        });
        return command;
    }

    public static void Print(RecognizerEvaluation evaluation, string what = "fresh held-out renders")
    {
        var table = new Table().AddColumn("attribute").AddColumn(new TableColumn("accuracy").RightAligned());
        foreach (var (name, value) in evaluation.Accuracy.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            table.AddRow(name, (value * 100).ToString("F2", CultureInfo.InvariantCulture) + "%");
        }

        table.Caption(string.Create(CultureInfo.InvariantCulture, $"{evaluation.Samples} {what}"));
        AnsiConsole.Write(table);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
