using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Diffusion.Clip;
using MediaStudio.Diffusion.Reward;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio eval reward</c>: pair accuracy on held-out preference pairs, overall and by reason.</summary>
internal static class EvalRewardCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder.", DefaultValueFactory = _ => "models/reward" };
        var pairs = new Option<int>("--pairs") { Description = "Held-out preference pairs.", DefaultValueFactory = _ => 1000 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("reward", "Accuracy of the reward model on held-out preference pairs (seeds from 2^62), overall and by reason.")
        {
            model, pairs, threads, json,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            using var reward = RewardModel.FromPretrained(parse.GetValue(model)!);
            var source = reward.Config.ClipSource;
            using var baseline = source.Length > 0 && File.Exists(Path.Combine(source, ModelFolder.WeightsFileName)) ? ClipModel.FromPretrained(source) : null;
            var evaluation = RewardTraining.Evaluate(reward, parse.GetValue(pairs), baseline);
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

    public static void Print(RewardEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var table = new Table().AddColumn("pairs").AddColumn(new TableColumn("n").RightAligned())
            .AddColumn(new TableColumn("reward accuracy").RightAligned()).AddColumn(new TableColumn("CLIP cosine").RightAligned());
        foreach (var (group, accuracy) in evaluation.Accuracy)
        {
            table.AddRow(
                group,
                evaluation.Counts[group].ToString(CultureInfo.InvariantCulture),
                (accuracy * 100).ToString("F2", CultureInfo.InvariantCulture) + "%",
                (evaluation.ClipCosineAccuracy[group] * 100).ToString("F2", CultureInfo.InvariantCulture) + "%");
        }

        table.Caption(string.Create(CultureInfo.InvariantCulture,
            $"{evaluation.Pairs} held-out pairs (seeds from 2^62), mean margin {evaluation.MeanMargin:F3}; CLIP cosine of {evaluation.CosineBaseline}"));
        AnsiConsole.Write(table);
    }

    public static string Markdown(RewardEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder("## Measured\n\n");
        text.Append(inv, $"{evaluation.Pairs} held-out preference pairs (seeds from 2^62, disjoint from training), measured by the training command; ")
            .Append("re-measure with `mediastudio eval reward --json`. Accuracy = fraction with r(chosen) > r(rejected); ")
            .Append(inv, $"the last column scores with the raw cosine of {evaluation.CosineBaseline}.\n\n");
        text.Append("| pairs | n | reward accuracy | CLIP cosine |\n| --- | --- | --- | --- |\n");
        foreach (var (group, accuracy) in evaluation.Accuracy)
        {
            text.Append(inv, $"| {group} | {evaluation.Counts[group]} | {accuracy * 100:F2}% | {evaluation.ClipCosineAccuracy[group] * 100:F2}% |\n");
        }

        text.Append(inv, $"\nMean margin r(chosen) - r(rejected): {evaluation.MeanMargin:F3}\n");
        return text.ToString();
    }
}
