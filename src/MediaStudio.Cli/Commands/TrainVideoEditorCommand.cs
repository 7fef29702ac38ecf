using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Diffusion.Video.Editor;
using MediaStudio.Diffusion.Video.Pipelines;
using MediaStudio.Diffusion.Video.Training;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using MediaStudio.Neural.Training;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio train video-editor</c>: trains the reference-image editor self-supervised on world clips; a killed run resumes.</summary>
internal static class TrainVideoEditorCommand
{
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    public static Command Create()
    {
        var recipe = new Option<string>("--recipe") { Description = "Recipe JSON.", DefaultValueFactory = _ => "models/video-editor/recipe.json" };
        var steps = new Option<long?>("--steps") { Description = "Optimizer steps (default: the recipe's)." };
        var batch = new Option<int?>("--batch") { Description = "Images per step (default: the recipe's)." };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Model folder to write.", DefaultValueFactory = _ => "models/" + VideoEditPipeline.EditorFolder };
        var checkpoint = new Option<string>("--checkpoint") { Description = "Resumable training checkpoint.", DefaultValueFactory = _ => "data/train/video-editor/checkpoint.bin" };
        var command = new Command("video-editor", "Train the reference-image editor (resumes after a kill).") { recipe, steps, batch, threads, output, checkpoint };
        command.SetAction((parse, ct) => Task.FromResult(Run(
            parse.GetValue(recipe)!, parse.GetValue(steps), parse.GetValue(batch), parse.GetValue(threads), parse.GetValue(output)!, parse.GetValue(checkpoint)!, ct)));
        return command;
    }

    private static int Run(string recipePath, long? steps, int? batch, int threads, string output, string checkpoint, CancellationToken ct)
    {
        TorchRuntime.SetThreads(threads);
        var recipe = File.Exists(recipePath) ? VideoEditRecipe.Load(recipePath) : new VideoEditRecipe();
        recipe = recipe with { Steps = steps ?? recipe.Steps, BatchSize = batch ?? recipe.BatchSize };
        var options = recipe.ToTrainingOptions();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
        var run = TrainingRunLog.Open(checkpoint, string.Create(CultureInfo.InvariantCulture,
            $"mediastudio train video-editor --steps {recipe.Steps} --batch {recipe.BatchSize} --threads {threads}"));
        var config = ReferenceEditorConfig.Default;
        TrainingSeed.Set(recipe.Seed);
        using var editor = new ReferenceEditor(config);
        var schedule = new NoiseSchedule(config.Schedule);
        var parameters = editor.parameters().Sum(p => p.numel());
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture,
            $"video-editor: {parameters:N0} parameters, {recipe.Steps} steps x {recipe.BatchSize} frames at {config.ImageSize}x{config.ImageSize}, {threads} torch thread(s)");
        using var trainer = new Trainer(editor, options, checkpoint);
        if (trainer.TryResume())
        {
            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"resumed at step {trainer.Step}");
        }

        var bar = new TrainingConsole("video-editor");
        var clock = Stopwatch.StartNew();
        var losses = new LossLog(Path.ChangeExtension(checkpoint, ".losses"));
        var progress = new Progress<TrainingProgress>(p =>
        {
            run.SaveSeconds(clock.Elapsed.TotalSeconds);
            losses.Add(p);
            bar.Report(p);
        });
        trainer.Run(step => VideoEditTraining.EditorLoss(editor, schedule, VideoEditData.Editor(recipe.Seed, step, recipe.BatchSize, config.ImageSize, recipe), recipe), progress, ct);
        var seconds = run.SaveSeconds(clock.Elapsed.TotalSeconds);

        var card = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        card.Append("# video-editor\n\n");
        card.Append("The reference-image editor of image-guided video editing (IVEDiff's base model, MimicBrush-style): a pixel-space inpainting ")
            .Append(inv, $"UNet (the SD-family UNet2DConditionModel) on concat[x_t, mask, masked source{(config.ReferenceHint ? ", hint" : "")}] at {config.ImageSize}x{config.ImageSize}, whose ")
            .Append(inv, $"cross-attention reads {config.ReferenceTokens} tokens of the reference image from a small trainable patch encoder; learned null tokens ")
            .Append(config.ReferenceHint ? "(and a zero hint) " : string.Empty)
            .Append("replace them for the unconditional branch of guidance. ")
            .Append(config.ReferenceHint
                ? "The hint (AnyDoor's collage) is the reference's object resampled onto the square about the mask's box, with a channel marking the square (`ReferenceHint`): the tokens say what the object looks like, the hint where its shape goes. "
                : string.Empty)
            .Append("Pixel space rather than the bundled autoencoder's latents: the autoencoder ")
            .Append("reconstructs world frames at about 24 dB PSNR, which would cap the PSNR outside and inside the mask, and decoding costs more than the ")
            .Append("whole 32x32 UNet; `eval video-edit` reports the resize round-trip bound of the pixel path next to the results.\n\n");
        card.Append("## Recipe\n\n- commands, in order (a later one resumed the checkpoint of the one before):\n");
        foreach (var line in run.Commands)
        {
            card.Append(inv, $"  - `{line}`\n");
        }

        card.Append(inv, $"- {parameters:N0} parameters; AdamW lr {recipe.LearningRate} (warm-up {recipe.WarmupSteps}, cosine to {recipe.MinLearningRate}), batch {recipe.BatchSize}, {recipe.Steps} steps\n");
        card.Append(inv, $"- data (self-supervised): one frame of a fresh two-frame world clip per sample (seeds below 2^29), its largest object masked by its silhouette dilated 0-2 px or (rate {recipe.BoxMaskRate}) by its bounding box; the reference is the object's rendered reference image (mirrored at random) or (rate {recipe.CropReferenceRate}) a crop of it from the other frame; reference dropped to the null tokens{(config.ReferenceHint ? " and a zero hint" : "")} in {recipe.ReferenceDropout:P0} of samples\n");
        card.Append(inv, $"- loss: v-prediction MSE (cosine schedule), pixels inside the mask weighted {1 + recipe.MaskLossWeight}x; last losses: {losses.Summary()}\n");
        card.Append(inv, $"- training time: {seconds / 60:F1} min wall clock on this machine's CPU ({threads} torch thread(s), machine shared with other jobs)\n\n");
        card.Append(EvalCardSection.Placeholder).Append("\n\n");
        card.Append("## Config\n\n```json\n").Append(JsonSerializer.Serialize(config, IndentedJson)).Append("\n```\n");
        ModelFolder.Save(output, editor, config, card.ToString());
        AtomicFile.WriteAllText(Path.Combine(output, "recipe.json"), recipe.ToJson() + "\n");
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"wrote {Markup.Escape(output)} after {seconds / 60:F1} min of training");
        return 0;
    }
}
