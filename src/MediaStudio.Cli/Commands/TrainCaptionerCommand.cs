using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Language.Captioning;
using MediaStudio.Language.Tokenization;
using MediaStudio.Language.Training;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using MediaStudio.Neural.Training;
using MediaStudio.Synthetic.Recognition;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio train captioner</c>: trains the student or teacher captioner; a killed run resumes from its checkpoint.</summary>
internal static class TrainCaptionerCommand
{
    public static Command Create()
    {
        var size = new Option<string>("--size") { Description = "student (shipped) or teacher (larger).", DefaultValueFactory = _ => "student" };
        size.AcceptOnlyFromAmong("student", "teacher");
        var steps = new Option<long>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => 2000 };
        var batch = new Option<int>("--batch") { Description = "Images per step (plus a third as many clips).", DefaultValueFactory = _ => 24 };
        var seed = new Option<long>("--seed") { Description = "Run seed (init, data order).", DefaultValueFactory = _ => 1 };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default: the recipe's)." };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "Model folder to write (default models/captioner-<size>)." };
        var tokenizer = new Option<string>("--tokenizer") { Description = "Tokenizer folder (vocab.json, merges.txt).", DefaultValueFactory = _ => "models/tokenizer" };
        var recognizer = new Option<string>("--recognizer") { Description = "Recognizer folder that becomes the (frozen) vision tower.", DefaultValueFactory = _ => "models/recognizer" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Resumable training checkpoint (default data/train/captioner-<size>/checkpoint.bin)." };
        var command = new Command("captioner", "Train the captioner (PAT vision tower + Llama decoder) on fresh image and clip renders (resumes after a kill).")
        {
            size, steps, batch, seed, lr, threads, output, tokenizer, recognizer, checkpoint,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var name = parse.GetValue(size)!;
            return Task.FromResult(Run(
                name, parse.GetValue(steps), parse.GetValue(batch), parse.GetValue(seed), parse.GetValue(lr), parse.GetValue(threads),
                parse.GetValue(output) ?? $"models/captioner-{name}", parse.GetValue(tokenizer)!, parse.GetValue(recognizer)!,
                parse.GetValue(checkpoint) ?? $"data/train/captioner-{name}/checkpoint.bin", cancellationToken));
        });
        return command;
    }

    private static int Run(
        string size, long steps, int batch, long seed, double? lr, int threads, string output, string tokenizerFolder, string recognizerFolder, string checkpoint, CancellationToken cancellationToken)
    {
        TorchRuntime.SetThreads(threads);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
        var tokenizer = CaptionTokenizer.Load(tokenizerFolder);
        var vision = ModelFolder.ReadConfig<RecognizerConfig>(recognizerFolder);
        var config = (size == "teacher" ? CaptionerConfig.Teacher(tokenizer.VocabSize) : CaptionerConfig.Student(tokenizer.VocabSize)) with { Vision = vision };
        var options = CaptionerTraining.Recipe(steps, batch, seed);
        if (lr is { } peak)
        {
            options = options with { LearningRate = peak, MinLearningRate = Math.Min(options.MinLearningRate, peak / 10) };
        }

        var commandLine = string.Create(CultureInfo.InvariantCulture,
            $"mediastudio train captioner --size {size} --steps {steps} --batch {batch} --seed {seed} --lr {options.LearningRate} --threads {threads}");
        var runLog = TrainingRunLog.Open(checkpoint, commandLine);
        TrainingSeed.Set(seed);
        using var model = CaptionerModel.FromConfig(config);
        Sha256Manifest.Verify(recognizerFolder, ModelFolder.WeightsFileName);
        using (var scope = TorchSharp.torch.NewDisposeScope())
        {
            var tensors = SafeTensors.Load(Path.Combine(recognizerFolder, ModelFolder.WeightsFileName));
            model.LoadVisionTower(tensors, $"{recognizerFolder}/{ModelFolder.WeightsFileName}");
        }

        var parameters = model.parameters().Sum(p => p.numel());
        var trainable = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture,
            $"captioner-{size}: {parameters:N0} parameters ({trainable:N0} trainable), {steps} steps x ({batch} images + {CaptionerTraining.ClipsPerStep(batch)} clips), {threads} torch thread(s)");

        var clock = Stopwatch.StartNew();
        var console = new TrainingConsole($"captioner-{size}", logEvery: 25);
        var progress = new Progress<TrainingProgress>(p =>
        {
            runLog.SaveSeconds(clock.Elapsed.TotalSeconds);
            console.Report(p);
        });
        CaptionerTraining.Train(model, tokenizer, options, batch, checkpoint, progress, cancellationToken);
        var trainingSeconds = runLog.SaveSeconds(clock.Elapsed.TotalSeconds);

        CaptionerFolder.Save(output, model, tokenizerFolder, Card(size, config, options, batch, parameters, trainable, trainingSeconds, threads, [.. runLog.Commands]));
        var recipe = new Dictionary<string, object>
        {
            ["size"] = size,
            ["commands"] = runLog.Commands,
            ["images_per_step"] = batch,
            ["clips_per_step"] = CaptionerTraining.ClipsPerStep(batch),
            ["clip_frames"] = config.ClipFrames,
            ["training"] = options,
            ["training_seconds"] = Math.Round(trainingSeconds, 1),
            ["torch_threads"] = threads,
            ["parameters"] = parameters,
            ["trainable_parameters"] = trainable,
            ["vision_tower_from"] = recognizerFolder,
            ["tokenizer_from"] = tokenizerFolder,
        };
        AtomicFile.WriteAllText(Path.Combine(output, "recipe.json"), JsonSerializer.Serialize(recipe, Indented) + "\n");
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"wrote {Markup.Escape(output)} after {trainingSeconds / 60:F1} min of training; measure it with `mediastudio eval captioner --model {Markup.Escape(output)} --card`");
        return 0;
    }

    private static string Card(
        string size, CaptionerConfig config, TrainingOptions options, int batch, long parameters, long trainable, double seconds, int threads, string[] runs)
    {
        var card = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var t = config.Text;
        card.Append(inv, $"# captioner-{size}\n\n");
        card.Append("Image and clip captioner: the bundled scene recognizer (PAT backbone + attribute heads, frozen) reads each 64x64 frame; its last stage's ")
            .Append(inv, $"{config.Vision.FinalMapSide}x{config.Vision.FinalMapSide} map (through a LayerNorm + two-layer projector) and its per-head probabilities (one background token, one token per region) ")
            .Append(inv, $"become {config.TokensPerFrame} image tokens per frame; ")
            .Append(inv, $"clips are sampled to {config.ClipFrames} frames with a learned temporal embedding. A Llama-family decoder ")
            .Append(inv, $"(RMSNorm, RoPE, SwiGLU, GQA {t.NumAttentionHeads}/{t.NumKeyValueHeads} heads, d={t.HiddenSize}, {t.NumHiddenLayers} layers, ")
            .Append(inv, $"tied embeddings: {t.TieWordEmbeddings.ToString().ToLowerInvariant()}; Hugging Face key names under `language_model.`) writes the caption.\n\n");
        card.Append("## Recipe\n\n");
        card.Append("- commands, in order (each later one resumed the checkpoint of the one before; a repeated line is a restart after a kill):\n");
        foreach (var run in runs)
        {
            card.Append(inv, $"  - `{run}`\n");
        }

        card.Append(inv, $"- {parameters:N0} parameters, {trainable:N0} trained; AdamW, lr {options.LearningRate} (warm-up {options.WarmupSteps} steps, cosine to {options.MinLearningRate} at step {options.TotalSteps}), ")
            .Append(inv, $"weight decay {options.WeightDecay}, grad clip {options.GradClip}\n");
        card.Append(inv, $"- data: every step {batch} fresh clean image renders and {CaptionerTraining.ClipsPerStep(batch)} clips, each with one randomly worded caption ")
            .Append("(Synthetic.Captions.Captioner / ClipCaptioner); next-token cross-entropy over caption and end tokens\n");
        card.Append(inv, $"- training time: {seconds / 60:F1} min wall clock on this machine's CPU ({threads} torch thread)\n\n");
        card.Append(EvalCardSection.Placeholder).Append("\n\n");
        card.Append("## Config\n\n```json\n").Append(JsonSerializer.Serialize(config, Indented)).Append("\n```\n");
        return card.ToString();
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
