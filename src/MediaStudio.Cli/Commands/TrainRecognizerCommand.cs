using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using MediaStudio.Neural.Training;
using MediaStudio.Synthetic.Recognition;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio train recognizer</c>: trains the scene recognizer; a killed run resumes from its checkpoint.</summary>
internal static class TrainRecognizerCommand
{
    public static Command Create()
    {
        var steps = new Option<long>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => 3000 };
        var batch = new Option<int>("--batch") { Description = "Images per step.", DefaultValueFactory = _ => 32 };
        var seed = new Option<long>("--seed") { Description = "Run seed (init, data order).", DefaultValueFactory = _ => 1 };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default: the recipe's)." };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Model folder to write.", DefaultValueFactory = _ => "models/recognizer" };
        var checkpoint = new Option<string>("--checkpoint")
        {
            Description = "Resumable training checkpoint.",
            DefaultValueFactory = _ => "data/train/recognizer/checkpoint.bin",
        };
        var evalSamples = new Option<int>("--eval-samples") { Description = "Held-out renders for the final accuracy.", DefaultValueFactory = _ => 2000 };
        var command = new Command("recognizer", "Train the PAT scene recognizer on fresh renders (resumes after a kill).")
        {
            steps, batch, seed, lr, threads, output, checkpoint, evalSamples,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(
            parse.GetValue(steps), parse.GetValue(batch), parse.GetValue(seed), parse.GetValue(lr), parse.GetValue(threads),
            parse.GetValue(output)!, parse.GetValue(checkpoint)!, parse.GetValue(evalSamples), cancellationToken)));
        return command;
    }

    private static int Run(long steps, int batch, long seed, double? lr, int threads, string output, string checkpoint, int evalSamples, CancellationToken cancellationToken)
    {
        TorchRuntime.SetThreads(threads);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);

        var config = new RecognizerConfig();
        var options = RecognizerTraining.Recipe(steps, batch, seed).WithPeakLearningRate(lr);

        // every invocation is recorded, so the card can list the exact phases a resumed model went through
        var runLog = TrainingRunLog.Open(checkpoint, string.Create(CultureInfo.InvariantCulture,
            $"mediastudio train recognizer --steps {steps} --batch {batch} --seed {seed} --lr {options.LearningRate} --threads {threads}"));
        TrainingSeed.Set(seed);
        using var model = SceneRecognizer.FromConfig(config);
        var parameters = model.parameters().Sum(p => p.numel());
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"recognizer: {parameters:N0} parameters, {steps} steps x {batch} images, {threads} torch thread(s)");

        var clock = Stopwatch.StartNew();
        var progress = new Progress<TrainingProgress>(p =>
        {
            runLog.SaveSeconds(clock.Elapsed.TotalSeconds);
            if (p.Step % 50 == 0 || p.Step == p.TotalSteps)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} lr {p.LearningRate:E2} {p.SamplesPerSecond:F1} img/s eta {p.Eta:hh\\:mm\\:ss}"));
            }
        });
        RecognizerTraining.Train(model, options, checkpoint, progress, cancellationToken);
        var trainingSeconds = runLog.SaveSeconds(clock.Elapsed.TotalSeconds);

        var evaluation = RecognizerTraining.Evaluate(model, evalSamples);
        ModelFolder.Save(output, model, config, Card(config, options, parameters, trainingSeconds, threads, evaluation, [.. runLog.Commands]));
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"wrote {Markup.Escape(output)} after {trainingSeconds / 60:F1} min of training");
        EvalRecognizerCommand.Print(evaluation);
        return 0;
    }

    private static string Card(
        RecognizerConfig config, TrainingOptions options, long parameters, double seconds, int threads, RecognizerEvaluation evaluation, string[] runs)
    {
        var card = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        card.Append("# recognizer\n\n");
        card.Append("Multi-head attribute classifier on the PAT backbone (MediaStudio.Neural.Pat.PatEncoder). It reads a ")
            .Append(inv, $"{config.ImageSize}x{config.ImageSize} render of the procedural world and predicts the background kind and colours ")
            .Append("and, for each of the five regions, whether an object is there and its shape, colour, size and texture. ")
            .Append("`PromptAdherence` scores generated images against a structured prompt with it.\n\n");
        card.Append("## Recipe\n\n");
        CardText.AppendCommands(card, runs);

        card.Append(inv, $"- {parameters:N0} parameters; AdamW, final phase lr {options.LearningRate} (warm-up {options.WarmupSteps} steps, cosine to {options.MinLearningRate} at step {options.TotalSteps}), ")
            .Append(inv, $"weight decay {options.WeightDecay}, grad clip {options.GradClip}\n");
        card.Append("- data: a fresh batch of clean renders every step (seeds below 2^62), 10% with a colour-keeping degradation ")
            .Append("(blur, noise, low contrast, blockiness); summed cross-entropy over all heads\n");
        card.Append(inv, $"- training time: {seconds / 60:F1} min wall clock on this machine's CPU ({threads} torch thread)\n\n");
        card.Append("## Measured accuracy\n\n");
        card.Append(inv, $"On {evaluation.Samples} fresh held-out renders (seeds from 2^62), measured by the training command; ")
            .Append("re-measure with `mediastudio eval recognizer --json`.\n\n");
        CardText.AppendAccuracy(card, "attribute", evaluation.Accuracy);

        card.Append("\n## Config\n\n```json\n").Append(JsonSerializer.Serialize(config, IndentedJson)).Append("\n```\n");
        return card.ToString();
    }

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };
}
