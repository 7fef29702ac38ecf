using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Diffusion.Autoencoder;
using MediaStudio.Diffusion.Clip;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Diffusion.Training;
using MediaStudio.Diffusion.UNet;
using MediaStudio.Media.Images;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using MediaStudio.Neural.Training;
using MediaStudio.Synthetic.Preview;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio train unet</c>: trains the text-to-image UNet on frozen autoencoder latents and CLIP token
/// states; a killed run resumes from its checkpoint.</summary>
internal static class TrainUNetCommand
{
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    public static Command Create()
    {
        var recipe = new Option<string>("--recipe") { Description = "Recipe JSON.", DefaultValueFactory = _ => "models/unet/recipe.json" };
        var steps = new Option<long?>("--steps") { Description = "Optimizer steps (default: the recipe's)." };
        var batch = new Option<int?>("--batch") { Description = "Images per step (default: the recipe's)." };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 2 };
        var models = new Option<string>("--models") { Description = "Folder with autoencoder/ and clip/.", DefaultValueFactory = _ => "models" };
        var output = new Option<string>("--out") { Description = "Model folder to write.", DefaultValueFactory = _ => "models/unet" };
        var attention = new Option<string>("--attention") { Description = "Self-attention of every level: full or mswa.", DefaultValueFactory = _ => UNetConfig.Full };
        var pat = new Option<bool>("--pat") { Description = "PAT partial-conv mixers in the ResBlocks." };
        var topLevel = new Option<bool>("--top-level-attention")
        {
            Description = "Also give the full-resolution level a transformer block (self- and cross-attention to the prompt); without it the prompt is read at the lower levels only.",
        };
        var textTime = new Option<bool>("--text-time-embedding")
        {
            Description = "Add the attention-pooled prompt to the timestep embedding (diffusers' addition_embed_type \"text\"), so every ResBlock at every resolution sees the prompt.",
        };
        var trainText = new Option<bool>("--train-text-encoder")
        {
            Description = "Train the CLIP text tower with the UNet (GLIDE trains its text transformer jointly); the UNet folder then carries the tower it was trained with.",
        };
        var initFrom = new Option<string?>("--init-from")
        {
            Description = "UNet folder whose config and weights (and text tower, if it carries one) start the run; the attention flags are then read from it.",
        };
        var position = new Option<string?>("--position-embedding")
        {
            Description = "Position embedding of the transformers' tokens: none (Stable Diffusion) or sincos (a fixed 2D sine-cosine table through a learned gain). With --init-from a model without one, sincos grows it, its gains starting at zero.",
        };
        position.AcceptOnlyFromAmong(UNetConfig.NoPositionEmbedding, UNetConfig.SinCosPositionEmbedding);
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default: the recipe's)." };
        var seed = new Option<long?>("--seed") { Description = "Run seed: data order and noise (default: the recipe's)." };
        var minSnr = new Option<double?>("--min-snr-gamma")
        {
            Description = "Min-SNR-γ loss weighting (default: the recipe's); 0 is the plain v- or ε-MSE, which weighs the high noise levels, where a sample's layout is decided, far more.",
        };
        var snrShift = new Option<double?>("--snr-shift")
        {
            Description = "Divide the noise schedule's SNR by the square of this (default: the recipe's; 1 is none), giving the high noise levels, where the layout must come from the prompt, more of training and of sampling.",
        };
        var checkpoint = new Option<string>("--checkpoint")
        {
            Description = "Resumable training checkpoint.",
            DefaultValueFactory = _ => "data/train/unet/checkpoint.bin",
        };
        var command = new Command("unet", "Train the text-to-image UNet (resumes after a kill).")
        {
            recipe, steps, batch, threads, models, output, attention, pat, topLevel, textTime, trainText, initFrom, position, lr, seed, minSnr, snrShift, checkpoint,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var recipeFile = parse.GetValue(recipe)!;
            var loaded = File.Exists(recipeFile) ? UNetRecipe.Load(recipeFile) : new UNetRecipe();
            loaded = loaded with
            {
                Steps = parse.GetValue(steps) ?? loaded.Steps,
                BatchSize = parse.GetValue(batch) ?? loaded.BatchSize,
                LearningRate = parse.GetValue(lr) ?? loaded.LearningRate,
                MinLearningRate = parse.GetValue(lr) is { } peak ? Math.Round(peak / 10, 12) : loaded.MinLearningRate,
                Seed = parse.GetValue(seed) ?? loaded.Seed,
                MinSnrGamma = parse.GetValue(minSnr) ?? loaded.MinSnrGamma,
                SnrShift = parse.GetValue(snrShift) ?? loaded.SnrShift,
            };
            var layout = new Layout(
                parse.GetValue(attention)!, parse.GetValue(pat), parse.GetValue(topLevel), parse.GetValue(textTime), parse.GetValue(trainText), parse.GetValue(initFrom), parse.GetValue(position));
            return Task.FromResult(Run(loaded, parse.GetValue(threads), parse.GetValue(models)!, parse.GetValue(output)!, layout, parse.GetValue(checkpoint)!, cancellationToken));
        });
        return command;
    }

    /// <summary>The UNet the studio ships: <see cref="UNetConfig.Small"/> on the autoencoder's latents, with the text
    /// encoder's width and one attention kind.</summary>
    public static UNetConfig Config(
        AutoencoderKLConfig autoencoder, int contextDim, string attention, bool pat, bool topLevel = false, bool textTime = false,
        string position = UNetConfig.NoPositionEmbedding) => UNetConfig.Small with
    {
        PositionEmbedding = position,
        InChannels = autoencoder.LatentChannels,
        OutChannels = autoencoder.LatentChannels,
        SampleSize = autoencoder.SampleSize / autoencoder.DownsampleFactor,
        AdditionEmbedType = textTime ? UNetConfig.TextAddition : null,
        CrossAttentionDim = contextDim,
        Attention = [.. UNetConfig.Small.Attention.Select((a, level) => a == UNetConfig.None && !(topLevel && level == 0) ? a : attention)],
        MidBlockAttention = attention,
        PatResBlocks = pat,
    };

    /// <summary>The noise schedule the studio's UNet is trained with: cosine, v-prediction (see the calibration note).</summary>
    public static NoiseScheduleConfig Schedule => NoiseScheduleConfig.CosineVPrediction;

    /// <summary>The architecture flags of a run, or the folder whose architecture and weights it starts from.</summary>
    private sealed record Layout(string Attention, bool Pat, bool TopLevel, bool TextTime, bool TrainText, string? InitFrom, string? Position);

    /// <summary>Keeps the last conditioning-gap line of each step: a run resumed from a checkpoint taken at a sampling step measures that step again.</summary>
    internal static IReadOnlyList<string> LastPerStep(IReadOnlyList<string> gaps) =>
        [.. gaps.Select((line, index) => (line, index, step: line.Split(':')[0]))
            .GroupBy(g => g.step)
            .Select(g => g.Last())
            .OrderBy(g => g.index)
            .Select(g => g.line)];

    private static int Run(UNetRecipe recipe, int threads, string models, string output, Layout layout, string checkpoint, CancellationToken cancellationToken)
    {
        TorchRuntime.SetThreads(threads);
        var options = recipe.ToTrainingOptions();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
        var inv = CultureInfo.InvariantCulture;
        var flags = layout.InitFrom is { } init
            ? $" --init-from {init}"
            : $" --attention {layout.Attention}{(layout.Pat ? " --pat" : "")}{(layout.TopLevel ? " --top-level-attention" : "")}{(layout.TextTime ? " --text-time-embedding" : "")}";
        flags += layout.Position is { } positionFlag ? $" --position-embedding {positionFlag}" : "";
        var run = TrainingRunLog.Open(checkpoint, string.Create(inv,
            $"mediastudio train unet --steps {recipe.Steps} --batch {recipe.BatchSize} --lr {recipe.LearningRate} --seed {recipe.Seed} --min-snr-gamma {recipe.MinSnrGamma}{(recipe.SnrShift != 1 ? string.Create(inv, $" --snr-shift {recipe.SnrShift}") : "")} --threads {threads}{flags}{(layout.TrainText ? " --train-text-encoder" : "")}"));

        using var autoencoder = AutoencoderKL.FromPretrained(Path.Combine(models, "autoencoder"));
        using var clip = ClipModel.FromPretrained(Path.Combine(models, "clip"));
        var started = layout.InitFrom is { } initFolder ? ModelFolder.ReadConfig<UNetConfig>(initFolder) : null;
        var config = started is not null
            ? started with { PositionEmbedding = layout.Position ?? started.PositionEmbedding }
            : Config(autoencoder.Config, (int)clip.Config.Text.HiddenSize, layout.Attention, layout.Pat, layout.TopLevel, layout.TextTime, layout.Position ?? UNetConfig.NoPositionEmbedding);
        TrainingSeed.Set(recipe.Seed);
        using var unet = new UNet2DConditionModel(config);
        string[] baseCommands = [];
        var baseSeconds = 0.0;
        var carried = false;
        if (layout.InitFrom is { } from)
        {
            if (started!.PositionEmbedding == UNetConfig.NoPositionEmbedding && config.PositionEmbedding != UNetConfig.NoPositionEmbedding)
            {
                unet.LoadGrownWithPositionEmbedding(from);
            }
            else
            {
                ModelFolder.LoadWeights(from, unet);
            }
            carried = TextToImagePipeline.LoadTextEncoder(from, clip);
            (baseCommands, baseSeconds) = TrainingHistory.Read(from);
            AnsiConsole.MarkupLine(inv, $"started from {Markup.Escape(from)} ({baseSeconds / 60:F1} min of training{(carried ? ", with its text tower" : "")})");
        }

        var schedule = new NoiseSchedule(Schedule with { PredictionType = config.PredictionType, SnrShift = recipe.SnrShift });
        var training = new TextToImageTraining(autoencoder, clip, unet, schedule, recipe, layout.TrainText);
        var trained = new TextToImageModules(unet, layout.TrainText ? clip.TextModel : null);
        var parameters = unet.parameters().Sum(p => p.numel());
        var textParameters = layout.TrainText ? clip.TextModel.parameters().Sum(p => p.numel()) : 0;
        AnsiConsole.MarkupLine(inv,
            $"unet: {parameters:N0} parameters{(layout.TrainText ? $" + {textParameters:N0} in the text tower" : "")}, {recipe.Steps} steps x {recipe.BatchSize} images, {threads} torch thread(s), attention {Markup.Escape(string.Join('/', config.Attention))}");

        using var trainer = new Trainer(trained, options, checkpoint);
        if (trainer.TryResume())
        {
            AnsiConsole.MarkupLine(inv, $"resumed at step {trainer.Step}");
        }

        var samples = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!, "samples");
        Directory.CreateDirectory(samples);
        var codec = new SafeImageCodec();
        var bar = new TrainingConsole("unet");
        var clock = Stopwatch.StartNew();
        var progress = new Progress<TrainingProgress>(p =>
        {
            run.SaveSeconds(clock.Elapsed.TotalSeconds);
            bar.Report(p);
        });

        trainer.Run(step =>
        {
            if (recipe.SampleEvery > 0 && step > 0 && step % recipe.SampleEvery == 0)
            {
                var gap = training.ConditioningGap();
                bar.Extra = string.Create(inv, $"gap {gap:P1}");
                File.AppendAllText(Path.Combine(samples, "gaps.txt"), string.Create(inv, $"{step}: {gap:P1}\n"));
                var (images, _) = training.Samples();
                codec.SavePng(ImageGrid.Compose(images, images.Count, scale: 2), Path.Combine(samples, $"step-{step:D6}.png"));
            }

            var (latents, captions, weights) = training.Batch(step);
            return training.Loss(latents, training.Context(captions), weights: weights);
        }, progress, cancellationToken);

        var seconds = run.SaveSeconds(clock.Elapsed.TotalSeconds);
        var finalGap = training.ConditioningGap();
        trainer.Ema?.CopyTo(trained);
        var emaGap = training.ConditioningGap();
        var (grid, prompts) = training.Samples();

        var gapLog = Path.Combine(samples, "gaps.txt");
        var history = new TrainingHistory([.. baseCommands, .. run.Commands], baseSeconds + seconds);
        var card = Card(config, recipe, parameters, textParameters, carried && !layout.TrainText, history, baseSeconds, threads, finalGap, emaGap, prompts, File.Exists(gapLog) ? File.ReadAllLines(gapLog) : []);

        // A tower carried from the started folder goes on with the UNet, trained or not: the UNet was trained on its states.
        TextToImagePipeline.SaveUNet(output, unet, schedule, card, layout.TrainText || carried ? clip.TextModel : null);
        AtomicFile.WriteAllText(Path.Combine(output, "recipe.json"), recipe.ToJson() + "\n");
        history.Write(output);
        codec.SavePng(ImageGrid.Compose(grid, grid.Count, scale: 2), Path.Combine(output, "samples.png"));
        AnsiConsole.MarkupLine(inv, $"wrote {Markup.Escape(output)} after {seconds / 60:F1} min of training ({history.Seconds / 60:F1} in all); conditioning gap {emaGap:P1} (EMA weights)");
        AnsiConsole.MarkupLine("measure it with [bold]mediastudio eval t2i --card[/]");
        return 0;
    }

    private static string Card(
        UNetConfig config, UNetRecipe recipe, long parameters, long textParameters, bool frozenCarriedTower, TrainingHistory history, double baseSeconds, int threads,
        double rawGap, double emaGap, IReadOnlyList<string> prompts, IReadOnlyList<string> gaps)
    {
        var inv = CultureInfo.InvariantCulture;
        var card = new StringBuilder();
        card.Append("# unet\n\n");
        card.Append("The text-to-image denoiser: an SD-family UNet2DConditionModel (ResBlocks with timestep embedding; transformer blocks with ")
            .Append(CultureInfo.InvariantCulture, $"self-attention, cross-attention to the CLIP text tower's token states and GEGLU) on the {config.InChannels}-channel latents of `models/autoencoder`. ")
            .Append(recipe.SnrShift != 1 ? string.Create(inv, $"Cosine schedule with its SNR divided by {recipe.SnrShift * recipe.SnrShift:G4} (shift {recipe.SnrShift:G4}, simple diffusion's shifted cosine), v-prediction, ") : "Cosine schedule, v-prediction, ")
            .Append(recipe.MinSnrGamma > 0 ? "min-SNR-γ loss weighting; " : "plain v-MSE (every noise level weighed alike); ")
            .Append("10% of captions dropped to the empty prompt for classifier-free guidance.");
        if (config.AdditionEmbedType == UNetConfig.TextAddition)
        {
            card.Append(" The prompt's token states are also attention-pooled and added to the timestep embedding (diffusers' `addition_embed_type` \"text\", ")
                .Append("as in DeepFloyd IF and Kandinsky), so every ResBlock, the full-resolution ones included, sees the prompt.");
        }

        if (config.PositionEmbedding == UNetConfig.SinCosPositionEmbedding)
        {
            card.Append(" Every transformer adds a fixed 2D sine-cosine position table (MAE, DiT) to its tokens through a learned per-channel gain, ")
                .Append("so cross-attention can bind the prompt's places (\"at the left\") to where tokens sit.");
        }

        if (frozenCarriedTower)
        {
            card.Append(inv, $" The CLIP text tower was trained with the UNet before, in the run of the weights this one started from, and kept frozen in the last run; ")
                .Append(inv, $"this folder carries it (`{TextToImagePipeline.TextEncoderFileName}`, in SHA256SUMS) and the pipeline conditions on it instead of `models/clip`'s tower.");
        }

        if (textParameters > 0)
        {
            card.Append(inv, $" The CLIP text tower ({textParameters:N0} parameters, started from `models/clip`) was trained with the UNet in its last run, as GLIDE trains its text transformer ")
                .Append(inv, $"with the diffusion model; this folder carries it (`{TextToImagePipeline.TextEncoderFileName}`, in SHA256SUMS) and the pipeline conditions on it instead of `models/clip`'s tower.");
        }

        card.Append("\n\n");
        card.Append("## Recipe\n\n");
        CardText.AppendCommands(card, history.Commands, initFrom: true);

        card.Append(inv, $"- {parameters:N0} parameters; AdamW lr {recipe.LearningRate} (warm-up {recipe.WarmupSteps}, cosine to {recipe.MinLearningRate:G3}), ")
            .Append(inv, $"batch {recipe.BatchSize}, {recipe.Steps} steps, EMA {recipe.EmaDecay}, ")
            .Append(recipe.MinSnrGamma > 0 ? string.Create(inv, $"min-SNR γ {recipe.MinSnrGamma}\n") : "plain MSE on the target (no min-SNR weighting)\n");
        card.Append(inv, $"- data: fresh world renders every step (seeds below 2^62), {recipe.SingleObjectRate:P0} with one object, the rest one to three; one caption each\n");
        if (recipe.ObjectWeight > 0)
        {
            card.Append(inv, $"- loss: each latent pixel where the prompt places an object (a disk about its region's centre as large as its size class can be drawn) weighs 1 + {recipe.ObjectWeight} in the squared error (normalised per image), so the small objects are not drowned by the backgrounds' textures\n");
        }

        card.Append(inv, $"- training time: {history.Seconds / 60:F1} min wall clock on this machine's CPU ({threads} torch threads, machine shared with other jobs")
            .Append(baseSeconds > 0 ? string.Create(inv, $"; {baseSeconds / 60:F1} min for the weights it started from, {(history.Seconds - baseSeconds) / 60:F1} min for the last run)\n\n") : ")\n\n");
        card.Append("## Conditioning gap\n\n");
        card.Append("Relative loss increase when the prompt is replaced by the empty prompt, at high noise (t ≥ 600) on 32 held-out scenes. ")
            .Append("Near zero would mean the model ignores its prompt.\n\n");
        foreach (var line in LastPerStep(gaps))
        {
            card.Append(inv, $"- step {line}\n");
        }

        card.Append(inv, $"- final: {rawGap:P1} (raw weights), {emaGap:P1} (EMA weights, the ones saved)\n\n");
        card.Append("## Samples\n\n`samples.png`: DDIM 20 steps, guidance 5, held-out prompts:\n\n");
        foreach (var prompt in prompts)
        {
            card.Append(inv, $"1. {prompt}\n");
        }

        card.Append('\n').Append(EvalCardSection.Placeholder).Append("\n\n");
        card.Append("## Config\n\n```json\n").Append(JsonSerializer.Serialize(config, IndentedJson)).Append("\n```\n");
        return card.ToString();
    }
}
