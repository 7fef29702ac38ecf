using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Diffusion.Clip;
using MediaStudio.Neural.Runtime;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio eval clip</c>: retrieval and zero-shot attribute accuracy on held-out scenes.</summary>
internal static class EvalClipCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder.", DefaultValueFactory = _ => "models/clip" };
        var samples = new Option<int>("--samples") { Description = "Held-out image-caption pairs (whole batches of 64).", DefaultValueFactory = _ => 1024 };
        var zeroShot = new Option<int>("--zero-shot") { Description = "Held-out images for the zero-shot attribute test.", DefaultValueFactory = _ => 256 };
        var degradation = new Option<double>("--degradation-rate") { Description = "Fraction of degraded held-out scenes.", DefaultValueFactory = _ => 0.2 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("clip", "Image-text retrieval (batches of 64) and zero-shot attribute accuracy of CLIP on held-out scenes (seeds from 2^62).")
        {
            model, samples, zeroShot, degradation, threads, json,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            using var clip = ClipModel.FromPretrained(parse.GetValue(model)!);
            var evaluation = ClipTraining.Evaluate(clip, parse.GetValue(samples), 64, parse.GetValue(zeroShot), parse.GetValue(degradation));
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

    public static void Print(ClipEvaluation evaluation)
    {
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (name, value) in evaluation.Retrieval)
        {
            table.AddRow(name, (value * 100).ToString("F2", CultureInfo.InvariantCulture) + "%");
        }

        foreach (var (name, value) in evaluation.ZeroShot)
        {
            table.AddRow($"zero_shot_{name}", (value * 100).ToString("F2", CultureInfo.InvariantCulture) + "%");
        }

        foreach (var (name, value) in evaluation.AttributeHeads)
        {
            table.AddRow($"heads_{name}", (value * 100).ToString("F2", CultureInfo.InvariantCulture) + "%");
        }

        foreach (var (name, value) in evaluation.CaptionTokens)
        {
            table.AddRow($"caption_tokens_{name}", value.ToString("0.####", CultureInfo.InvariantCulture));
        }

        table.Caption(string.Create(CultureInfo.InvariantCulture,
            $"{evaluation.Samples} held-out pairs in batches of {evaluation.BatchSize}, {evaluation.ZeroShotSamples} zero-shot images, seeds from 2^62"));
        AnsiConsole.Write(table);
    }

    public static string Markdown(ClipEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder("## Measured\n\n");
        text.Append(inv, $"Held-out scenes (seeds from 2^62, disjoint from training), measured by the training command; re-measure with ")
            .Append("`mediastudio eval clip --json`.\n\n");
        text.Append(inv, $"Retrieval among {evaluation.BatchSize} candidates, {evaluation.Samples} pairs ({evaluation.DegradationRate * 100:F0}% degraded):\n\n");
        text.Append("| metric | accuracy |\n| --- | --- |\n");
        foreach (var (name, value) in evaluation.Retrieval)
        {
            text.Append(inv, $"| {name} | {value * 100:F2}% |\n");
        }

        text.Append(inv, $"\nZero-shot attributes on {evaluation.ZeroShotSamples} clean images: the true caption must outrank every caption ")
            .Append("with the same wording and one object's colour / shape / size (or the background colour) changed:\n\n");
        text.Append("| attribute | accuracy | chance |\n| --- | --- | --- |\n");
        var chance = new Dictionary<string, string> { ["color"] = "8.3%", ["shape"] = "16.7%", ["size"] = "33.3%", ["background_color"] = "8.3%" };
        foreach (var (name, value) in evaluation.ZeroShot)
        {
            text.Append(inv, $"| {name} | {value * 100:F2}% | {chance.GetValueOrDefault(name, "?")} |\n");
        }

        if (evaluation.AttributeHeads.Count > 0)
        {
            text.Append("\nAuxiliary attribute heads on the retrieval pairs (what the pooled text state and the image embedding carry; ")
                .Append("per attribute kind over all objects, and `all_heads` = all 23 heads of a scene right):\n\n");
            CardText.AppendAccuracy(text, "head", evaluation.AttributeHeads);
        }

        text.Append("\nCaption lengths in tokens (bos and eos included): ")
            .Append(string.Join(", ", evaluation.CaptionTokens.Select(kv => string.Create(inv, $"{kv.Key} {kv.Value:0.####}"))))
            .Append('\n');
        return text.ToString();
    }
}
