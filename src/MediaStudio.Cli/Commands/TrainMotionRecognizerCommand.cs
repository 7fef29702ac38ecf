using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using MediaStudio.Neural.Training;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Recognition;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio train motion-recognizer</c>: trains the clip motion recognizer the captioner reads; a killed run resumes from its checkpoint.</summary>
internal static class TrainMotionRecognizerCommand
{
    public static Command Create()
    {
        var steps = new Option<long>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => 3000 };
        var batch = new Option<int>("--batch") { Description = "Clips per step.", DefaultValueFactory = _ => 32 };
        var seed = new Option<long>("--seed") { Description = "Run seed (init, data order).", DefaultValueFactory = _ => 1 };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default: the recipe's)." };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Model folder to write.", DefaultValueFactory = _ => "models/motion-recognizer" };
        var checkpoint = new Option<string>("--checkpoint") { Description = "Resumable training checkpoint.", DefaultValueFactory = _ => "data/train/motion-recognizer/checkpoint.bin" };
        var evalClips = new Option<int>("--eval-clips") { Description = "Held-out clips for the final accuracy.", DefaultValueFactory = _ => 1000 };
        var layout = new Option<string>("--layout") { Description = "siamese (each frame encoded alone, their maps compared) or stacked (frames as channels of one backbone).", DefaultValueFactory = _ => "siamese" };
        layout.AcceptOnlyFromAmong("siamese", "stacked");
        var frames = new Option<int>("--frames") { Description = "Frames sampled evenly over each clip (2-16); more frames keep an object's turn between two of them below its symmetry's half-period.", DefaultValueFactory = _ => 4 };
        var poseWeight = new Option<double>("--pose-weight")
        {
            Description = "Weight of the per-frame pose loss (siamese only; 0: off): each frame's map learns every object's orientation under its symmetry and its size at the cell of its centre.",
            DefaultValueFactory = _ => 0,
        };
        var motion = ClipMotionOption.Create("Training clips");
        var command = new Command("motion-recognizer", "Train the clip motion recognizer (direction, scale change, rotation per region) on fresh world clips (resumes after a kill).")
        {
            steps, batch, seed, lr, threads, output, checkpoint, evalClips, layout, frames, poseWeight, motion,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(
            parse.GetValue(steps), parse.GetValue(batch), parse.GetValue(seed), parse.GetValue(lr), parse.GetValue(threads),
            parse.GetValue(output)!, parse.GetValue(checkpoint)!, parse.GetValue(evalClips), parse.GetValue(layout) == "siamese", parse.GetValue(frames), parse.GetValue(poseWeight), parse.GetValue(motion), cancellationToken)));
        return command;
    }

    private static int Run(
        long steps, int batch, long seed, double? lr, int threads, string output, string checkpoint, int evalClips, bool siamese, int frames, double poseWeight, ClipMotion motion, CancellationToken cancellationToken)
    {
        TorchRuntime.SetThreads(threads);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
        var config = (siamese ? MotionRecognizerConfig.Siamese(frames) : new MotionRecognizerConfig { Frames = frames, Backbone = MotionRecognizerConfig.Default(frames) }) with { PoseWeight = poseWeight };
        config.Validate();
        var options = MotionRecognizerTraining.Recipe(steps, batch, seed).WithPeakLearningRate(lr);

        var runLog = TrainingRunLog.Open(checkpoint, string.Create(CultureInfo.InvariantCulture,
            $"mediastudio train motion-recognizer --steps {steps} --batch {batch} --seed {seed} --lr {options.LearningRate} --threads {threads} --layout {(siamese ? "siamese" : "stacked")} --frames {frames}{(poseWeight > 0 ? $" --pose-weight {poseWeight}" : "")} --motion {ClipMotionOption.Name(motion)}"));
        TrainingSeed.Set(seed);
        using var model = MotionRecognizer.FromConfig(config);
        var parameters = model.parameters().Sum(p => p.numel());
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"motion-recognizer: {parameters:N0} parameters, {steps} steps x {batch} clips of {config.Frames} frames, {threads} torch thread(s)");

        var clock = Stopwatch.StartNew();
        var console = new TrainingConsole("motion-recognizer", logEvery: 50);
        var progress = new Progress<TrainingProgress>(p =>
        {
            runLog.SaveSeconds(clock.Elapsed.TotalSeconds);
            console.Report(p);
        });
        MotionRecognizerTraining.Train(model, options, motion, checkpoint, progress, cancellationToken);
        var trainingSeconds = runLog.SaveSeconds(clock.Elapsed.TotalSeconds);

        var evaluation = MotionRecognizerTraining.Evaluate(model, evalClips, motion);
        ModelFolder.Save(output, model, config, Card(config, options, motion, parameters, trainingSeconds, threads, evaluation, [.. runLog.Commands]));
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"wrote {Markup.Escape(output)} after {trainingSeconds / 60:F1} min of training");
        EvalRecognizerCommand.Print(evaluation, "held-out clips");
        return 0;
    }

    private static string Card(
        MotionRecognizerConfig config, TrainingOptions options, ClipMotion motion, long parameters, double seconds, int threads, RecognizerEvaluation evaluation, string[] runs)
    {
        var card = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        card.Append("# motion-recognizer\n\n");
        card.Append(inv, $"Reads how each object of a clip moves: {config.Frames} frames sampled evenly over the clip (first and last included) at ")
            .Append(inv, $"{config.ImageSize}x{config.ImageSize}, ")
            .Append(config.FrameBackbone is { } frame
                ? string.Create(inv, $"each encoded alone by a shared PAT backbone (MediaStudio.Neural.Pat.PatEncoder) to a map of {frame.StageWidth(frame.StageCount - 1)} channels at {config.ImageSize / config.FrameStride}x{config.ImageSize / config.FrameStride}; the {config.Frames} maps, stacked, go through a second PAT backbone that compares each object's cells across frames, ")
                : string.Create(inv, $"stacked as {3 * config.Frames} channels into a PAT backbone (MediaStudio.Neural.Pat.PatEncoder), "))
            .Append("with the recognizer's readout (LayerNorm over the flattened last map and the pooled feature). ")
            .Append("For the object that starts in each of the five regions it predicts left/still/right, up/still/down, shrinks/keeps/grows and ")
            .Append("anticlockwise/no/clockwise turn, as the world's captions state them (`ObjectMotion`). The captioner adds its per-region ")
            .Append("probabilities (through a learned projection) to the first frame's region tokens.\n\n");
        card.Append("## Recipe\n\n");
        CardText.AppendCommands(card, runs);

        card.Append(inv, $"- {parameters:N0} parameters; AdamW, lr {options.LearningRate} (warm-up {options.WarmupSteps} steps, cosine to {options.MinLearningRate} at step {options.TotalSteps}), ")
            .Append(inv, $"weight decay {options.WeightDecay}, grad clip {options.GradClip}, {options.BatchSize} clips per step\n");
        card.Append(inv, $"- data: fresh world clips every step (`ClipSampler`, seeds below 2^61: 2-3 objects that move, scale, turn and cross paths under a camera pan; motion `{ClipMotionOption.Name(motion)}`")
            .Append(motion == ClipMotion.Clear ? ": every change plainly happens or plainly does not, away from the caption thresholds" : "")
            .Append("); ")
            .Append("cross-entropy over the four parts of every region that holds an object")
            .Append(config.PoseWeight > 0
                ? string.Create(inv, $", plus {config.PoseWeight} x the per-frame pose loss (MSE of a 1x1 head on each frame's map, at the cell of every object's centre: cos mθ, sin mθ of its turn under its shape's m-fold symmetry, and its log radius, from the world's poses)\n")
                : "\n");
        card.Append(inv, $"- training time: {seconds / 60:F1} min wall clock on this machine's CPU ({threads} torch thread)\n\n");
        card.Append("## Measured accuracy\n\n");
        card.Append(inv, $"Per object on {evaluation.Samples} held-out clips (seeds from 2^62 + 2^40, the captioner's held-out clips, motion `{ClipMotionOption.Name(motion)}`), measured by the training command; ")
            .Append(inv, $"re-measure with `mediastudio eval motion-recognizer --motion {ClipMotionOption.Name(motion)} --json`. \"direction\" = both horizontal and vertical right; \"all\" = all four parts; the baseline rows score answering \"no change\" for every object.\n\n");
        CardText.AppendAccuracy(card, "part", evaluation.Accuracy);

        card.Append("\n## Config\n\n```json\n").Append(JsonSerializer.Serialize(config, IndentedJson)).Append("\n```\n");
        return card.ToString();
    }

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };
}
