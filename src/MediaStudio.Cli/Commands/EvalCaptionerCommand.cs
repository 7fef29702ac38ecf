using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Language.Captioning;
using MediaStudio.Language.Training;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio eval captioner</c>: attribute accuracy, exact match, perplexity and decode speed on held-out images and clips.</summary>
internal static class EvalCaptionerCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Captioner folder.", DefaultValueFactory = _ => "models/captioner-student" };
        var images = new Option<int>("--images") { Description = "Held-out images to caption.", DefaultValueFactory = _ => 400 };
        var clips = new Option<int>("--clips") { Description = "Held-out clips to caption.", DefaultValueFactory = _ => 200 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var card = new Option<bool>("--card") { Description = "Write the result into the model's CARD.md (\"## Measured\")." };
        var motion = ClipMotionOption.Create("Held-out clips");
        var command = new Command("captioner", "Caption held-out images and clips; score attributes parsed back from the captions, exact match, perplexity, tokens/s.")
        {
            model, images, clips, threads, json, card, motion,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var folder = parse.GetValue(model)!;
            TorchRuntime.SetThreads(parse.GetValue(threads));
            using var pipeline = CaptionPipeline.Load(folder);
            var evaluation = CaptionerEvaluator.Evaluate(pipeline, parse.GetValue(images), parse.GetValue(clips), parse.GetValue(motion), cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(evaluation, Indented));
            }
            else
            {
                Print(evaluation);
            }

            if (parse.GetValue(card))
            {
                var commandLine = string.Create(CultureInfo.InvariantCulture,
                    $"mediastudio eval captioner --model {folder} --images {evaluation.Images} --clips {evaluation.Clips} --motion {ClipMotionOption.Name(evaluation.Motion)} --threads {parse.GetValue(threads)} --card");
                EvalCardSection.Write(Path.Combine(folder, ModelFolder.CardFileName), Markdown(evaluation, commandLine));
            }

            return Task.FromResult(0);
        });
        return command;
    }

    public static string Markdown(CaptionerEvaluation e, string commandLine)
    {
        ArgumentNullException.ThrowIfNull(e);
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(inv, $"Measured by `{commandLine}` on {e.Images} held-out images and {e.Clips} held-out clips (seeds from 2^62, never drawn in training; clip motion `{ClipMotionOption.Name(e.Motion)}`), greedy decoding. ")
            .Append("Every caption is parsed back with the world's caption parsers (CaptionParser, ClipCaptionParser); an unreadable caption counts as wrong for every attribute.\n\n");
        CardText.AppendAccuracy(text, "attribute", e.Accuracy);

        text.Append('\n');
        text.Append(inv, $"- parse rate: {e.ParseRate * 100:F2}%\n");
        text.Append(inv, $"- exact match (every attribute of the scene right): images {Percent(e.ImageExactMatch)}, clips (scene and every motion) {Percent(e.ClipExactMatch)}\n");
        text.Append(inv, $"- perplexity on reference captions: {e.Perplexity:F3}\n");
        text.Append(inv, $"- decode: {e.DecodeTokensPerSecond:F0} tokens/s (greedy, KV cache, batch {e.Batch}, this machine's CPU under shared load)\n\n");
        text.Append("Examples (reference wording / generated):\n\n");
        foreach (var example in e.Examples)
        {
            text.Append(inv, $"- {example.Kind}: \"{example.Reference}\" / \"{example.Generated}\"\n");
        }

        return text.ToString();
    }

    private static void Print(CaptionerEvaluation e)
    {
        var table = new Table().AddColumn("attribute").AddColumn(new TableColumn("accuracy").RightAligned());
        foreach (var (name, value) in e.Accuracy)
        {
            table.AddRow(name, (value * 100).ToString("F2", CultureInfo.InvariantCulture) + "%");
        }

        table.Caption(string.Create(CultureInfo.InvariantCulture, $"{e.Images} held-out images, {e.Clips} held-out clips"));
        AnsiConsole.Write(table);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"parse rate {e.ParseRate * 100:F2}%, exact match images {Percent(e.ImageExactMatch)} clips {Percent(e.ClipExactMatch)}, perplexity {e.Perplexity:F3}, decode {e.DecodeTokensPerSecond:F0} tokens/s (batch {e.Batch})"));
        foreach (var example in e.Examples)
        {
            Console.WriteLine($"{example.Kind}: {example.Generated}");
        }
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    // a fraction as a percentage, or "n/a" when nothing of that kind was evaluated
    private static string Percent(double? fraction) => fraction is { } f ? string.Create(CultureInfo.InvariantCulture, $"{f * 100:F2}%") : "n/a";
}
