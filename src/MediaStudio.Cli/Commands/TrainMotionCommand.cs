using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Diffusion.UNet;
using MediaStudio.Diffusion.Video.Editor;
using MediaStudio.Diffusion.Video.Motion;
using MediaStudio.Diffusion.Video.Pipelines;
using MediaStudio.Diffusion.Video.Training;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using MediaStudio.Neural.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace MediaStudio.Cli.Commands;

/// <summary>
/// <c>mediastudio train motion</c> (motion modules by masked motion modeling, or with <c>--mode full</c> the ablation that
/// fine-tunes editor and motion modules together) and <c>mediastudio train motion-reference</c> (the flow-guided motion
/// reference); both resume after a kill.
/// </summary>
internal static class TrainMotionCommand
{
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    public static Command CreateMotion()
    {
        var mode = new Option<string>("--mode") { Description = "mmm: masked motion modeling with the editor frozen; full: editor and motion modules trained together on plain editing (ablation).", DefaultValueFactory = _ => "mmm" };
        var command = new Command("motion", "Train the motion modules on world clips (resumes after a kill).");
        return Build(command, "video-motion", mode);
    }

    public static Command CreateMotionReference() =>
        Build(new Command("motion-reference", "Train the flow-guided motion reference with editor and motion modules frozen (resumes after a kill)."), "video-motion-reference", null);

    private static Command Build(Command command, string name, Option<string>? mode)
    {
        var recipe = new Option<string>("--recipe") { Description = "Recipe JSON.", DefaultValueFactory = _ => $"models/{name}/recipe.json" };
        var steps = new Option<long?>("--steps") { Description = "Optimizer steps (default: the recipe's)." };
        var batch = new Option<int?>("--batch") { Description = "Clips per step (default: the recipe's)." };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var models = new Option<string>("--models") { Description = "Models root with video-editor/ (and video-motion/ for motion-reference).", DefaultValueFactory = _ => "models" };
        var output = new Option<string>("--out")
        {
            Description = "Models root to write into (<out>/" + name + "; with --mode full also <out>/video-editor). Default: --models, or data/ablation/motion-full for --mode full.",
        };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Resumable training checkpoint (default data/train/<name>[-full]/checkpoint.bin)." };
        command.Options.Add(recipe);
        command.Options.Add(steps);
        command.Options.Add(batch);
        command.Options.Add(threads);
        command.Options.Add(models);
        command.Options.Add(output);
        command.Options.Add(checkpoint);
        if (mode is not null)
        {
            command.Options.Add(mode);
        }

        command.SetAction((parse, ct) =>
        {
            var stage = mode is null ? MotionStage.MotionReference
                : parse.GetValue(mode) switch
                {
                    "mmm" => MotionStage.MaskedMotion,
                    "full" => MotionStage.Full,
                    var other => throw new ArgumentException($"--mode must be mmm or full, got {other}"),
                };
            var root = parse.GetValue(models)!;
            var outRoot = parse.GetValue(output) ?? (stage == MotionStage.Full ? "data/ablation/motion-full" : root);
            var ckpt = parse.GetValue(checkpoint) ?? $"data/train/{name}{(stage == MotionStage.Full ? "-full" : "")}/checkpoint.bin";
            return Task.FromResult(Run(stage, parse.GetValue(recipe)!, parse.GetValue(steps), parse.GetValue(batch), parse.GetValue(threads), root, outRoot, ckpt, ct));
        });
        return command;
    }

    private static int Run(MotionStage stage, string recipePath, long? steps, int? batch, int threads, string models, string outRoot, string checkpoint, CancellationToken ct)
    {
        TorchRuntime.SetThreads(threads);
        var recipe = File.Exists(recipePath) ? VideoEditRecipe.Load(recipePath) : new VideoEditRecipe { BatchSize = 4, Steps = 1500, LearningRate = 5e-4, MinLearningRate = 5e-5 };
        recipe = recipe with { Steps = steps ?? recipe.Steps, BatchSize = batch ?? recipe.BatchSize };
        var options = recipe.ToTrainingOptions();
        var name = stage == MotionStage.MotionReference ? "motion-reference" : "motion";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
        var run = TrainingRunLog.Open(checkpoint, string.Create(CultureInfo.InvariantCulture,
            $"mediastudio train {name}{(stage == MotionStage.Full ? " --mode full" : "")} --steps {recipe.Steps} --batch {recipe.BatchSize} --threads {threads}"));

        using var editor = ReferenceEditor.FromPretrained(Path.Combine(models, VideoEditPipeline.EditorFolder));
        var schedule = new NoiseSchedule(editor.Config.Schedule);
        var points = UNet2DConditionModel.PointChannels(editor.Config.UNet);
        TrainingSeed.Set(recipe.Seed);
        using var motion = stage == MotionStage.MotionReference
            ? MotionModules.FromPretrained(Path.Combine(models, VideoEditPipeline.MotionFolder))
            : new MotionModules(new MotionModuleConfig { PointChannels = points, NormNumGroups = editor.Config.UNet.NormNumGroups });
        using var reference = stage == MotionStage.MotionReference
            ? new MotionReference(new MotionReferenceConfig { PointChannels = points, NormNumGroups = editor.Config.UNet.NormNumGroups })
            : null;
        Freeze(editor, stage == MotionStage.Full);
        Freeze(motion, stage != MotionStage.MotionReference);
        using var bundle = stage switch
        {
            MotionStage.Full => new ModuleBundle(("editor", editor), ("motion", motion)),
            MotionStage.MaskedMotion => new ModuleBundle(("motion", motion)),
            _ => new ModuleBundle(("reference", reference!)),
        };
        var trainable = bundle.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture,
            $"{name} ({stage}): {trainable:N0} trainable parameters, {recipe.Steps} steps x {recipe.BatchSize} clips of {recipe.Frames} frames, {threads} torch thread(s)");
        using var trainer = new Trainer(bundle, options, checkpoint);
        if (trainer.TryResume())
        {
            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"resumed at step {trainer.Step}");
        }

        var bar = new TrainingConsole(name);
        var clock = Stopwatch.StartNew();
        var losses = new LossLog(Path.ChangeExtension(checkpoint, ".losses"));
        var progress = new Progress<TrainingProgress>(p =>
        {
            run.SaveSeconds(clock.Elapsed.TotalSeconds);
            losses.Add(p);
            bar.Report(p);
        });
        var size = editor.Config.ImageSize;
        trainer.Run(
            step => VideoEditTraining.ClipLoss(
                editor, motion, reference, schedule, VideoEditData.Clips(recipe.Seed, step, recipe.BatchSize, recipe.Frames, size), recipe, stage != MotionStage.Full),
            progress,
            ct);
        var seconds = run.SaveSeconds(clock.Elapsed.TotalSeconds);

        var card = Card(stage, recipe, trainable, seconds, threads, run.Commands, losses.Summary());
        if (stage == MotionStage.MotionReference)
        {
            var folder = Path.Combine(outRoot, VideoEditPipeline.MotionReferenceFolder);
            ModelFolder.Save(folder, reference!, reference!.Config, card + Config(reference.Config));
            AtomicFile.WriteAllText(Path.Combine(folder, "recipe.json"), recipe.ToJson() + "\n");
        }
        else
        {
            var folder = Path.Combine(outRoot, VideoEditPipeline.MotionFolder);
            ModelFolder.Save(folder, motion, motion.Config, card + Config(motion.Config));
            AtomicFile.WriteAllText(Path.Combine(folder, "recipe.json"), recipe.ToJson() + "\n");
            if (stage == MotionStage.Full)
            {
                ModelFolder.Save(Path.Combine(outRoot, VideoEditPipeline.EditorFolder), editor, editor.Config,
                    "# video-editor (fine-tuned with the motion modules)\n\nThe editor of the `--mode full` ablation: " + card + Config(editor.Config));
            }
        }

        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"wrote {Markup.Escape(outRoot)} after {seconds / 60:F1} min of training");
        return 0;
    }

    private static void Freeze(nn.Module module, bool trainable)
    {
        foreach (var p in module.parameters())
        {
            p.requires_grad = trainable;
        }
    }

    private static string Config<T>(T config) => "## Config\n\n```json\n" + JsonSerializer.Serialize(config, IndentedJson) + "\n```\n";

    private static string Card(MotionStage stage, VideoEditRecipe recipe, long trainable, double seconds, int threads, IReadOnlyList<string> commands, string losses)
    {
        var inv = CultureInfo.InvariantCulture;
        var card = new StringBuilder();
        card.Append(stage switch
        {
            MotionStage.MotionReference => "# video-motion-reference\n\nThe flow-guided motion reference (IVEDiff's MotRefNet): at every insertion point of the editor UNet each pixel attends to itself and to the previous and next frame's features warped onto it by optical flow, weighted by forward-backward consistency, through a zero-initialised output projection. Trained by masked motion modeling with the editor and the motion modules frozen, on ground-truth world flow; at inference the pipeline estimates flow.\n\n",
            MotionStage.Full => "# video-motion (ablation: trained in full)\n\nMotion modules trained together with the editor (editor unfrozen) on plain clip editing, every frame masked: the ablation row \"+ motion modules trained in full\".\n\n",
            _ => "# video-motion\n\nThe motion modules (AnimateDiff-style temporal transformers with MSWA frame windows, RoPE over the frame index, zero-initialised output) inflated into the frozen editor at every insertion point, trained by masked motion modeling: frame 1 keeps its source, later frames are masked with probability mask_ratio.\n\n",
        });
        card.Append("## Recipe\n\n- commands, in order (a later one resumed the checkpoint of the one before):\n");
        foreach (var line in commands)
        {
            card.Append(inv, $"  - `{line}`\n");
        }

        card.Append(inv, $"- {trainable:N0} trainable parameters; AdamW lr {recipe.LearningRate} (warm-up {recipe.WarmupSteps}, cosine to {recipe.MinLearningRate}), {recipe.BatchSize} clips of {recipe.Frames} frames per step, {recipe.Steps} steps\n");
        card.Append(inv, $"- data: fresh world clips (seeds below 2^29), the clip's edit object masked (silhouette dilated 1 px); mask ratio {recipe.MaskRatio} (masked motion modeling stages); one timestep per clip; reference dropped in {recipe.ReferenceDropout:P0} of clips\n");
        card.Append(inv, $"- loss: v-prediction MSE on all frames, inside-mask weight {1 + recipe.MaskLossWeight}x; {losses}\n");
        card.Append(inv, $"- training time: {seconds / 60:F1} min wall clock ({threads} torch thread(s), machine shared with other jobs)\n\n");
        card.Append(EvalCardSection.Placeholder).Append("\n\n");
        return card.ToString();
    }
}
