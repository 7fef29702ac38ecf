using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MediaStudio.Diffusion.Autoencoder;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using MediaStudio.Synthetic.Recognition;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio eval autoencoder</c>: reconstruction PSNR/SSIM, scaled-latent statistics and recognizer agreement on held-out renders.</summary>
internal static class EvalAutoencoderCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder.", DefaultValueFactory = _ => "models/autoencoder" };
        var recognizer = new Option<string>("--recognizer") { Description = "Recognizer folder (agreement skipped when missing).", DefaultValueFactory = _ => "models/recognizer" };
        var samples = new Option<int>("--samples") { Description = "Held-out renders to score.", DefaultValueFactory = _ => 1000 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "Score a training checkpoint's weights instead of the folder's (architecture from --model's config, or the Small preset when the folder has none).",
        };
        var command = new Command("autoencoder", "Reconstruction quality of the KL autoencoder on clean held-out renders (seeds from 1,000,000,000).")
        {
            model, recognizer, samples, threads, json, checkpoint,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var checkpointPath = parse.GetValue(checkpoint);
            using var autoencoder = checkpointPath is null
                ? AutoencoderKL.FromPretrained(parse.GetValue(model)!)
                : FromCheckpoint(checkpointPath, parse.GetValue(model)!);
            var recognizerFolder = parse.GetValue(recognizer)!;
            using var reader = Directory.Exists(recognizerFolder)
                ? ModelFolder.FromPretrained<SceneRecognizer, RecognizerConfig>(recognizerFolder, c => new SceneRecognizer(c))
                : null;
            var evaluation = AutoencoderEvaluation.Run(autoencoder, parse.GetValue(samples), reader);
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

    /// <summary>Builds the model from a training checkpoint's <c>model.*</c> tensors (strict); the scaling factor stays 1 unless the folder's config has one.</summary>
    private static AutoencoderKL FromCheckpoint(string checkpointPath, string folder)
    {
        var config = File.Exists(Path.Combine(folder, ModelFolder.ConfigFileName))
            ? ModelFolder.ReadConfig<AutoencoderKLConfig>(folder)
            : AutoencoderKLConfig.Small;
        var model = AutoencoderKL.FromConfig(config);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var tensors = SafeTensors.Load(checkpointPath)
            .Where(p => p.Key.StartsWith("model.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key["model.".Length..], p => p.Value, StringComparer.Ordinal);
        StateDict.LoadStrict(model, tensors, checkpointPath);
        model.eval();
        return model;
    }

    public static void Print(AutoencoderEvaluation evaluation)
    {
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (name, value) in TrainAutoencoderCommand.Rows(evaluation))
        {
            table.AddRow(Markup.Escape(name), value);
        }

        table.Caption(string.Create(CultureInfo.InvariantCulture, $"{evaluation.Samples} clean held-out renders (seeds from {evaluation.FirstSeed})"));
        AnsiConsole.Write(table);
    }
}
