using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Diffusion.Negatives;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Preview;
using MediaStudio.Diffusion.Reward;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using MediaStudio.Synthetic.Recognition;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio eval negatives</c>: the ReNeg table on held-out prompts.</summary>
internal static class EvalNegativesCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "The learned embedding to compare.", DefaultValueFactory = _ => "world-global" };
        var prompts = new Option<int>("--prompts") { Description = "Held-out single-object prompts.", DefaultValueFactory = _ => 32 };
        var models = new Option<string>("--models") { Description = "Models folder.", DefaultValueFactory = _ => "models" };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var card = new Option<bool>("--card") { Description = "Also write the table into the embedding's CARD.md." };
        var command = new Command("negatives", "Mean reward and adherence for null text, a hand-written negative, the learned global embedding and per-prompt refinement.")
        {
            name, prompts, models, threads, json, card,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var root = parse.GetValue(models)!;
            var embeddingName = parse.GetValue(name)!;
            using var pipeline = TextToImagePipeline.Load(root);
            using var reward = RewardModel.FromPretrained(Path.Combine(root, "reward"), pipeline.Device);
            using var recognizer = ModelFolder.FromPretrained<SceneRecognizer, RecognizerConfig>(Path.Combine(root, "recognizer"), c => new SceneRecognizer(c));
            using var embedding = NegativeEmbedding.Load(Path.Combine(root, "negatives"), embeddingName, pipeline.Device);
            var options = ReNegOptions.LoadOrDefault(Path.Combine(root, "negatives", "recipe.json")) with { Guidance = embedding.Card.Guidance };
            var clock = Stopwatch.StartNew();
            NegativesEvaluation? result = null;
            EvalProgress.Create(parse.GetValue(json))
                .Start(context =>
                {
                    var task = context.AddTask("null, hand-written, global, per-prompt", maxValue: 1);
                    result = NegativesEvaluation.Run(pipeline, new RewardModelFunction(reward), recognizer, embedding, options, parse.GetValue(prompts), f => task.Value = f, cancellationToken);
                });
            var markdown = Markdown(result!, clock.Elapsed.TotalSeconds);
            Console.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(result, Indented) : markdown);
            if (parse.GetValue(card))
            {
                var folder = Path.Combine(root, "negatives", embeddingName);
                EvalCardSection.Write(Path.Combine(folder, ModelFolder.CardFileName), markdown + "\n`samples.png`: one row per method, in the table's order, same prompts and seeds.\n");
                new SafeImageCodec().SavePng(ImageGrid.Compose(result!.Samples, Math.Min(8, result.Prompts), scale: 2), Path.Combine(folder, "samples.png"));
            }

            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>The table as the card's measured section.</summary>
    public static string Markdown(NegativesEvaluation result, double seconds)
    {
        ArgumentNullException.ThrowIfNull(result);
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(inv, $"`mediastudio eval negatives --name {result.Embedding} --prompts {result.Prompts}` ({seconds:F0} s): {result.Prompts} held-out ")
            .Append(inv, $"single-object prompts, one image each (same seeds for every row), DDIM, guidance {result.Guidance}. ")
            .Append(inv, $"Hand-written negative: \"{result.HandWrittenNegative}\". Reward: `models/reward` (the training objective); ")
            .Append("all-correct: `models/recognizer`, a judge the embedding never saw.\n\n");
        text.Append("| method | mean reward | all correct |\n| --- | --- | --- |\n");
        foreach (var row in result.Rows)
        {
            text.Append(inv, $"| {row.Method} | {row.MeanReward:F3} | {row.AllCorrect * 100:F1}% |\n");
        }

        text.Append('\n');
        if (result.OrderingHolds)
        {
            text.Append("The paper's ordering holds here: null < hand-written < global < per-prompt in mean reward.\n");
        }
        else
        {
            var broken = result.Rows.Zip(result.Rows.Skip(1)).Where(p => p.First.MeanReward >= p.Second.MeanReward)
                .Select(p => string.Create(inv, $"{p.First.Method} ({p.First.MeanReward:F3}) ≥ {p.Second.Method} ({p.Second.MeanReward:F3}), by {p.First.MeanReward - p.Second.MeanReward:F3}"));
            text.Append("The paper's ordering (null < hand-written < global < per-prompt) does **not** fully hold here: ")
                .Append(string.Join("; ", broken)).Append(".\n");
        }

        return text.ToString();
    }
}
