using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Diffusion.Autoencoder;
using MediaStudio.Media.Images;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using MediaStudio.Neural.Training;
using MediaStudio.Synthetic.Recognition;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio train autoencoder</c>: trains the KL autoencoder on world renders; a killed run resumes from its checkpoint.</summary>
internal static class TrainAutoencoderCommand
{
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    public static Command Create()
    {
        var recipePath = new Option<string>("--recipe") { Description = "Recipe JSON.", DefaultValueFactory = _ => "models/autoencoder/recipe.json" };
        var steps = new Option<long?>("--steps") { Description = "Optimizer steps (default: the recipe's)." };
        var batch = new Option<int?>("--batch") { Description = "Images per step (default: the recipe's)." };
        var seed = new Option<long?>("--seed") { Description = "Run seed (default: the recipe's)." };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default: the recipe's)." };
        var klWeight = new Option<double?>("--kl-weight") { Description = "KL weight (default: the recipe's)." };
        var objectWeight = new Option<double?>("--object-weight")
        {
            Description = "Extra L1 weight on object pixels (1 + this inside objects; default: the recipe's, 0 = plain L1).",
        };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Model folder to write.", DefaultValueFactory = _ => "models/autoencoder" };
        var checkpoint = new Option<string>("--checkpoint")
        {
            Description = "Resumable training checkpoint.",
            DefaultValueFactory = _ => "data/train/autoencoder/checkpoint.bin",
        };
        var recognizer = new Option<string>("--recognizer") { Description = "Recognizer folder for the label agreement (skipped when missing).", DefaultValueFactory = _ => "models/recognizer" };
        var evalSamples = new Option<int>("--eval-samples") { Description = "Held-out renders for the card's metrics.", DefaultValueFactory = _ => 1000 };
        var latentChannels = new Option<int>("--latent-channels")
        {
            Description = "Latent channels (SD 1.x: 4; SD3 and FLUX: 16). More keep small objects; the UNet follows the autoencoder.",
            DefaultValueFactory = _ => AutoencoderKLConfig.Small.LatentChannels,
        };
        var widths = new Option<string>("--widths")
        {
            Description = "Block widths, full resolution first, comma-separated (three blocks: f = 4).",
            DefaultValueFactory = _ => string.Join(',', AutoencoderKLConfig.Small.BlockOutChannels),
        };
        var command = new Command("autoencoder", "Train the KL autoencoder (SD VAE family, f = 4) on world renders (resumes after a kill).")
        {
            recipePath, steps, batch, seed, lr, klWeight, objectWeight, threads, output, checkpoint, recognizer, evalSamples, latentChannels, widths,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var path = parse.GetValue(recipePath)!;
            var recipe = File.Exists(path) ? AutoencoderRecipe.Load(path) : new AutoencoderRecipe();
            recipe = recipe with
            {
                Steps = parse.GetValue(steps) ?? recipe.Steps,
                BatchSize = parse.GetValue(batch) ?? recipe.BatchSize,
                Seed = parse.GetValue(seed) ?? recipe.Seed,
                LearningRate = parse.GetValue(lr) ?? recipe.LearningRate,
                KlWeight = parse.GetValue(klWeight) ?? recipe.KlWeight,
                ObjectWeight = parse.GetValue(objectWeight) ?? recipe.ObjectWeight,
            };
            recipe = recipe with { MinLearningRate = Math.Min(recipe.MinLearningRate, recipe.LearningRate) };
            recipe.Validate();
            var config = AutoencoderKLConfig.Small with
            {
                LatentChannels = parse.GetValue(latentChannels),
                BlockOutChannels = [.. parse.GetValue(widths)!.Split(',', StringSplitOptions.TrimEntries).Select(w => int.Parse(w, CultureInfo.InvariantCulture))],
            };
            config.Validate();
            return Task.FromResult(Run(
                recipe, config, parse.GetValue(threads), parse.GetValue(output)!, parse.GetValue(checkpoint)!,
                parse.GetValue(recognizer)!, parse.GetValue(evalSamples), cancellationToken));
        });
        return command;
    }

    private static int Run(AutoencoderRecipe recipe, AutoencoderKLConfig config, int threads, string output, string checkpoint, string recognizerFolder, int evalSamples, CancellationToken cancellationToken)
    {
        var inv = CultureInfo.InvariantCulture;
        TorchRuntime.SetThreads(threads);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);

        // every invocation is recorded, so the card lists the exact phases a resumed model went through
        var runLog = TrainingRunLog.Open(checkpoint, string.Create(inv,
            $"mediastudio train autoencoder --steps {recipe.Steps} --batch {recipe.BatchSize} --seed {recipe.Seed} --lr {recipe.LearningRate} --kl-weight {recipe.KlWeight}{(recipe.ObjectWeight > 0 ? $" --object-weight {recipe.ObjectWeight}" : "")} --threads {threads}{Shape(config)}"));
        TrainingSeed.Set(recipe.Seed);
        using var model = AutoencoderKL.FromConfig(config);
        var parameters = model.parameters().Sum(p => p.numel());
        AnsiConsole.MarkupLine(inv, $"autoencoder: {parameters:N0} parameters, {recipe.Steps} steps x {recipe.BatchSize} images, {threads} torch thread(s)");

        var clock = Stopwatch.StartNew();
        var bar = new TrainingConsole("autoencoder");
        var progress = new SynchronousProgress(p =>
        {
            runLog.SaveSeconds(clock.Elapsed.TotalSeconds);
            bar.Report(p);
        });
        AutoencoderTraining.Train(model, recipe, checkpoint, progress, cancellationToken);
        var trainingSeconds = runLog.SaveSeconds(clock.Elapsed.TotalSeconds);

        var scaling = AutoencoderTraining.MeasureScalingFactor(model, recipe.ScalingSamples);
        model.UseScalingFactor(scaling);
        AnsiConsole.MarkupLine(inv, $"scaling factor 1/std = {scaling:G6} over {recipe.ScalingSamples} held-out renders");

        using var recognizer = Directory.Exists(recognizerFolder)
            ? ModelFolder.FromPretrained<SceneRecognizer, RecognizerConfig>(recognizerFolder, c => new SceneRecognizer(c))
            : null;
        var evaluation = AutoencoderEvaluation.Run(model, evalSamples, recognizer);
        Directory.CreateDirectory(output);
        new SafeImageCodec().SavePng(AutoencoderEvaluation.SampleGrid(model), Path.Combine(output, "samples.png"));
        ModelFolder.Save(output, model, model.Config, Card(model.Config, recipe, parameters, trainingSeconds, threads, evaluation, [.. runLog.Commands]));
        var recipeOut = Path.Combine(output, "recipe.json");
        if (!File.Exists(recipeOut))
        {
            File.WriteAllText(recipeOut, recipe.ToJson() + "\n");
        }

        AnsiConsole.MarkupLine(inv, $"wrote {Markup.Escape(output)} after {trainingSeconds / 60:F1} min of training");
        EvalAutoencoderCommand.Print(evaluation);
        return 0;
    }

    /// <summary>The shape flags of a run, empty for the default shape, so a card's command lines say how to rebuild it.</summary>
    private static string Shape(AutoencoderKLConfig config)
    {
        var small = AutoencoderKLConfig.Small;
        var latent = config.LatentChannels != small.LatentChannels ? string.Create(CultureInfo.InvariantCulture, $" --latent-channels {config.LatentChannels}") : "";
        var widths = !config.BlockOutChannels.SequenceEqual(small.BlockOutChannels) ? $" --widths {string.Join(',', config.BlockOutChannels)}" : "";
        return latent + widths;
    }

    private static string Card(
        AutoencoderKLConfig config, AutoencoderRecipe recipe, long parameters, double seconds, int threads, AutoencoderEvaluation evaluation, string[] runs)
    {
        var inv = CultureInfo.InvariantCulture;
        var f = config.DownsampleFactor;
        var card = new StringBuilder();
        card.Append("# autoencoder\n\n");
        card.Append("KL-regularised autoencoder of the Stable Diffusion VAE family (diffusers' `AutoencoderKL` layout and checkpoint keys): ")
            .Append("encoder with ResBlock down blocks and a ResBlock-attention-ResBlock mid block, `quant_conv`/`post_quant_conv`, mirrored decoder ")
            .Append(inv, $"with nearest + conv upsamplers. {config.SampleSize}x{config.SampleSize} RGB images in [-1, 1] become latents ")
            .Append(inv, $"({config.LatentChannels}, {config.SampleSize / f}, {config.SampleSize / f}) (f = {f}). ")
            .Append(inv, $"The UNet works on scaled latents s * mu with s = scaling_factor = {config.ScalingFactor:G6}.\n\n");
        card.Append("![originals above reconstructions](samples.png)\n\n");
        card.Append("`samples.png`: the first 8 held-out evaluation scenes (top) and their reconstructions through the posterior mean (bottom), 2x.\n\n");
        card.Append("## Recipe\n\n");
        CardText.AppendCommands(card, runs);

        card.Append(inv, $"- {parameters:N0} parameters; AdamW, peak lr {recipe.LearningRate} (warm-up {recipe.WarmupSteps} steps, cosine to {recipe.MinLearningRate} at step {recipe.Steps}), ")
            .Append(inv, $"weight decay {recipe.WeightDecay}, grad clip {recipe.GradClip}, batch {recipe.BatchSize}, seed {recipe.Seed}\n");
        card.Append(inv, $"- data: a fresh batch of world renders every step (seeds below {AutoencoderTraining.TrainingSeedLimit:N0}), ")
            .Append(inv, $"{recipe.DegradationRate:P0} with the world's degradations\n");
        var l1 = recipe.ObjectWeight > 0 ? string.Create(inv, $"L1 weighted 1 + {recipe.ObjectWeight} on object pixels (instance map, dilated one pixel)") : "mean L1";
        card.Append(inv, $"- loss: {l1} + {recipe.GradientWeight} x image-gradient L1 + {recipe.KlWeight:G} x KL / (3 H W) (SD's kl_weight relative to a per-pixel-summed L1). ")
            .Append("No GAN and no LPIPS: LPIPS needs pretrained VGG/AlexNet weights, which the studio does not have, and a patch GAN did not fit the CPU budget; ")
            .Append("the gradient term keeps edges sharp instead.\n");
        card.Append(inv, $"- scaling factor: 1 / std of the posterior means over {recipe.ScalingSamples} held-out renders (seeds from {AutoencoderTraining.CalibrationSeedBase:N0})\n");
        card.Append(inv, $"- training time: {seconds / 60:F1} min wall clock on this machine's CPU ({threads} torch thread, shared with other jobs)\n\n");
        card.Append("## Measured\n\n");
        card.Append(inv, $"On {evaluation.Samples} clean held-out renders (seeds from {evaluation.FirstSeed:N0}), measured by the training command with ")
            .Append("the code of `mediastudio eval autoencoder --json`, which re-measures it.\n\n");
        card.Append("| metric | value |\n| --- | --- |\n");
        foreach (var (name, value) in Rows(evaluation))
        {
            card.Append(inv, $"| {name} | {value} |\n");
        }

        card.Append("\n## Config\n\n```json\n").Append(JsonSerializer.Serialize(config, IndentedJson)).Append("\n```\n");
        return card.ToString();
    }

    internal static IEnumerable<(string Name, string Value)> Rows(AutoencoderEvaluation e)
    {
        var inv = CultureInfo.InvariantCulture;
        yield return ("PSNR (mean)", string.Create(inv, $"{e.PsnrDb:F2} dB"));
        yield return ("PSNR (worst image)", string.Create(inv, $"{e.PsnrDbMin:F2} dB"));
        yield return ("SSIM (mean)", string.Create(inv, $"{e.Ssim:F4}"));
        yield return ("scaled latent mean", string.Create(inv, $"{e.LatentMean:F4}"));
        yield return ("scaled latent std", string.Create(inv, $"{e.LatentStd:F4}"));
        if (e.RecognizerAgreement is { } agree)
        {
            yield return ("recognizer labels equal (original vs reconstruction)", string.Create(inv, $"{agree * 100:F1}%"));
            yield return ("recognizer shape and colour equal, per object", string.Create(inv, $"{e.RecognizerObjectAgreement * 100:F1}%"));
            yield return ("recognizer all-correct on originals", string.Create(inv, $"{e.RecognizerAllCorrectOriginal * 100:F1}%"));
            yield return ("recognizer all-correct on reconstructions", string.Create(inv, $"{e.RecognizerAllCorrectReconstruction * 100:F1}%"));
        }
    }

    /// <summary>Reports on the training thread (System.Progress would post to the thread pool, out of order).</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
