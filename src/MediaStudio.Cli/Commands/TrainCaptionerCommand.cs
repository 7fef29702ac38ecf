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
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Clips;
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
        var batch = new Option<int>("--batch") { Description = "Images per step (plus a third as many clips, unless --clips).", DefaultValueFactory = _ => 24 };
        var clips = new Option<int?>("--clips") { Description = "Clips per step (default: a third of --batch)." };
        var seed = new Option<long>("--seed") { Description = "Run seed (init, data order).", DefaultValueFactory = _ => 1 };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default: the recipe's)." };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "Model folder to write (default models/captioner-<size>)." };
        var tokenizer = new Option<string>("--tokenizer") { Description = "Tokenizer folder (vocab.json, merges.txt).", DefaultValueFactory = _ => "models/tokenizer" };
        var recognizer = new Option<string>("--recognizer") { Description = "Recognizer folder that becomes the (frozen) vision tower.", DefaultValueFactory = _ => "models/recognizer" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Resumable training checkpoint (default data/train/captioner-<size>/checkpoint.bin)." };
        var motion = new Option<string?>("--motion-recognizer") { Description = "Motion recognizer folder that becomes the (frozen) motion tower: one motion token per region for clips. None: frames only." };
        var order = new Option<ObjectOrder>("--object-order") { Description = "Order the training captions list objects in: reading (top, left, centre, right, bottom) or shuffled.", DefaultValueFactory = _ => ObjectOrder.Reading };
        var clipMotion = ClipMotionOption.Create("Training clips");
        var initFrom = new Option<string?>("--init-from") { Description = "Captioner folder whose weights start the run (same decoder and vision tower; modules it lacks, such as a new motion tower's projection, start fresh)." };
        var command = new Command("captioner", "Train the captioner (PAT vision tower + Llama decoder) on fresh image and clip renders (resumes after a kill).")
        {
            size, steps, batch, clips, seed, lr, threads, output, tokenizer, recognizer, checkpoint, motion, order, initFrom, clipMotion,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var name = parse.GetValue(size)!;
            return Task.FromResult(Run(
                name, parse.GetValue(steps), parse.GetValue(batch), parse.GetValue(seed), parse.GetValue(lr), parse.GetValue(threads),
                parse.GetValue(output) ?? $"models/captioner-{name}", parse.GetValue(tokenizer)!, parse.GetValue(recognizer)!,
                parse.GetValue(checkpoint) ?? $"data/train/captioner-{name}/checkpoint.bin",
                new Sources(parse.GetValue(motion), parse.GetValue(order), parse.GetValue(initFrom), parse.GetValue(clips), parse.GetValue(clipMotion)), cancellationToken));
        });
        return command;
    }

    private static int Run(
        string size, long steps, int batch, long seed, double? lr, int threads, string output, string tokenizerFolder, string recognizerFolder, string checkpoint, Sources sources,
        CancellationToken cancellationToken)
    {
        TorchRuntime.SetThreads(threads);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
        var tokenizer = CaptionTokenizer.Load(tokenizerFolder);
        var vision = ModelFolder.ReadConfig<RecognizerConfig>(recognizerFolder);
        var config = (size == "teacher" ? CaptionerConfig.Teacher(tokenizer.VocabSize) : CaptionerConfig.Student(tokenizer.VocabSize)) with
        {
            Vision = vision,
            Motion = sources.MotionRecognizer is { } motionConfigFolder ? ModelFolder.ReadConfig<MotionRecognizerConfig>(motionConfigFolder) : null,
            ObjectOrder = sources.ObjectOrder,
            ClipMotion = sources.ClipMotion,
        };
        var options = CaptionerTraining.Recipe(steps, batch, seed, sources.Clips).WithPeakLearningRate(lr);
        var clipsPerStep = options.BatchSize - batch;

        var commandLine = string.Create(CultureInfo.InvariantCulture,
            $"mediastudio train captioner --size {size} --steps {steps} --batch {batch} --seed {seed} --lr {options.LearningRate} --threads {threads}{(sources.Clips is { } c ? $" --clips {c}" : "")} --object-order {config.ObjectOrder.ToString().ToLowerInvariant()} --motion {ClipMotionOption.Name(config.ClipMotion)}{(sources.MotionRecognizer is { } m ? $" --motion-recognizer {m}" : "")}{(sources.InitFrom is { } i ? $" --init-from {i}" : "")}");
        var runLog = TrainingRunLog.Open(checkpoint, commandLine);
        TrainingSeed.Set(seed);
        using var model = CaptionerModel.FromConfig(config);
        Sha256Manifest.Verify(recognizerFolder, ModelFolder.WeightsFileName);
        using (var scope = TorchSharp.torch.NewDisposeScope())
        {
            if (sources.InitFrom is { } initFolder)
            {
                // every tensor of the earlier captioner must fit; what it lacks (a new motion tower and its projection) keeps its fresh values.
                // With --motion-recognizer the tower is loaded from that folder below, so the earlier captioner's tower (perhaps another layout) is skipped
                Sha256Manifest.Verify(initFolder, ModelFolder.WeightsFileName);
                var initial = SafeTensors.Load(Path.Combine(initFolder, ModelFolder.WeightsFileName));
                if (sources.MotionRecognizer is not null)
                {
                    initial = initial.Where(kv => !kv.Key.StartsWith("motion_tower.", StringComparison.Ordinal)).ToDictionary();
                }

                StateDict.LoadStrict(model, initial, $"{initFolder}/{ModelFolder.WeightsFileName}", key => key.StartsWith("motion_", StringComparison.Ordinal));
            }

            // the towers come from their own folders, after --init-from, so a retrained recognizer replaces the one the earlier captioner held
            var tensors = SafeTensors.Load(Path.Combine(recognizerFolder, ModelFolder.WeightsFileName));
            model.LoadVisionTower(tensors, $"{recognizerFolder}/{ModelFolder.WeightsFileName}");
            if (sources.MotionRecognizer is { } motionFolder)
            {
                Sha256Manifest.Verify(motionFolder, ModelFolder.WeightsFileName);
                model.LoadMotionTower(SafeTensors.Load(Path.Combine(motionFolder, ModelFolder.WeightsFileName)), $"{motionFolder}/{ModelFolder.WeightsFileName}");
            }
        }

        var parameters = model.parameters().Sum(p => p.numel());
        var trainable = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture,
            $"captioner-{size}: {parameters:N0} parameters ({trainable:N0} trainable), {steps} steps x ({batch} images + {clipsPerStep} clips), {threads} torch thread(s)");

        var clock = Stopwatch.StartNew();
        var console = new TrainingConsole($"captioner-{size}", logEvery: 25);
        var progress = new Progress<TrainingProgress>(p =>
        {
            runLog.SaveSeconds(clock.Elapsed.TotalSeconds);
            console.Report(p);
        });
        CaptionerTraining.Train(model, tokenizer, options, batch, checkpoint, progress, cancellationToken);
        var trainingSeconds = runLog.SaveSeconds(clock.Elapsed.TotalSeconds);

        var (baseCommands, baseSeconds) = sources.InitFrom is { } from ? TrainingHistory.Read(from) : ([], 0);
        var history = new TrainingHistory([.. baseCommands, .. runLog.Commands], baseSeconds + trainingSeconds);
        CaptionerFolder.Save(output, model, tokenizerFolder, Card(size, config, options, batch, parameters, trainable, trainingSeconds, threads, [.. history.Commands], baseSeconds));
        var recipe = new Dictionary<string, object>
        {
            ["size"] = size,
            ["commands"] = runLog.Commands,
            ["images_per_step"] = batch,
            ["clips_per_step"] = clipsPerStep,
            ["clip_frames"] = config.ClipFrames,
            ["training"] = options,
            ["training_seconds"] = Math.Round(trainingSeconds, 1),
            ["torch_threads"] = threads,
            ["parameters"] = parameters,
            ["trainable_parameters"] = trainable,
            ["vision_tower_from"] = recognizerFolder,
            ["motion_tower_from"] = sources.MotionRecognizer ?? "none",
            ["initialised_from"] = sources.InitFrom ?? "scratch",
            ["object_order"] = config.ObjectOrder,
            ["clip_motion"] = config.ClipMotion,
            ["tokenizer_from"] = tokenizerFolder,
        };
        AtomicFile.WriteAllText(Path.Combine(output, "recipe.json"), JsonSerializer.Serialize(recipe, Indented) + "\n");
        history.Write(output);
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"wrote {Markup.Escape(output)} after {trainingSeconds / 60:F1} min of training; measure it with `mediastudio eval captioner --model {Markup.Escape(output)} --card`");
        return 0;
    }

    private static string Card(
        string size, CaptionerConfig config, TrainingOptions options, int batch, long parameters, long trainable, double seconds, int threads, string[] runs, double baseSeconds)
    {
        var card = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var t = config.Text;
        card.Append(inv, $"# captioner-{size}\n\n");
        card.Append("Image and clip captioner: the bundled scene recognizer (PAT backbone + attribute heads, frozen) reads each 64x64 frame; its last stage's ")
            .Append(inv, $"{config.Vision.FinalMapSide}x{config.Vision.FinalMapSide} map (through a LayerNorm + two-layer projector) and its per-head probabilities (one background token, one token per region) ")
            .Append(inv, $"become {config.TokensPerFrame} image tokens per frame; ")
            .Append(inv, $"clips are sampled to {config.ClipFrames} frames with a learned temporal embedding")
            .Append(config.Motion is null ? ". " : ", and the frozen motion recognizer (models/motion-recognizer) adds to each first-frame region token how the object that starts there moves (its per-part probabilities through a linear projection). ")
            .Append(config.ObjectOrder == ObjectOrder.Reading ? "Captions list objects in reading order of their (starting) regions: top, left, centre, right, bottom. " : "")
            .Append("A Llama-family decoder ")
            .Append(inv, $"(RMSNorm, RoPE, SwiGLU, GQA {t.NumAttentionHeads}/{t.NumKeyValueHeads} heads, d={t.HiddenSize}, {t.NumHiddenLayers} layers, ")
            .Append(inv, $"tied embeddings: {t.TieWordEmbeddings.ToString().ToLowerInvariant()}; Hugging Face key names under `language_model.`) writes the caption.\n\n");
        card.Append("## Recipe\n\n");
        CardText.AppendCommands(card, runs, initFrom: true);

        card.Append(inv, $"- {parameters:N0} parameters, {trainable:N0} trained; AdamW, lr {options.LearningRate} (warm-up {options.WarmupSteps} steps, cosine to {options.MinLearningRate:G3} at step {options.TotalSteps}), ")
            .Append(inv, $"weight decay {options.WeightDecay}, grad clip {options.GradClip}\n");
        card.Append(inv, $"- data: every step {batch} fresh clean image renders and {options.BatchSize - batch} clips, each with one randomly worded caption (objects {(config.ObjectOrder == ObjectOrder.Reading ? "in reading order" : "in any order")}; clip motion `{ClipMotionOption.Name(config.ClipMotion)}`{(config.ClipMotion == ClipMotion.Clear ? ": every change plainly happens or plainly does not" : "")}) ")
            .Append("(Synthetic.Captions.Captioner / ClipCaptioner); next-token cross-entropy over caption and end tokens\n");
        card.Append(inv, $"- training time: {(baseSeconds + seconds) / 60:F1} min wall clock on this machine's CPU")
            .Append(baseSeconds > 0 ? string.Create(inv, $" ({baseSeconds / 60:F1} min for the weights it started from, {seconds / 60:F1} min for the last phase on {threads} torch thread(s))\n\n") : string.Create(inv, $" ({threads} torch thread)\n\n"));
        card.Append(EvalCardSection.Placeholder).Append("\n\n");
        card.Append("## Config\n\n```json\n").Append(JsonSerializer.Serialize(config, Indented)).Append("\n```\n");
        return card.ToString();
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Where the run's extra weights come from, and the caption order it trains on.</summary>
    private sealed record Sources(string? MotionRecognizer, ObjectOrder ObjectOrder, string? InitFrom, int? Clips, ClipMotion ClipMotion);
}
