using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Diffusion.Clip;
using MediaStudio.Diffusion.Reward;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using MediaStudio.Neural.Training;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio train reward</c>: trains the reward model on preference pairs from the CLIP towers; a killed run resumes.</summary>
internal static class TrainRewardCommand
{
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    public static Command Create()
    {
        var recipePath = new Option<string>("--recipe") { Description = "Recipe JSON.", DefaultValueFactory = _ => "models/reward/recipe.json" };
        var steps = new Option<long?>("--steps") { Description = "Optimizer steps (default: the recipe's)." };
        var batch = new Option<int?>("--batch") { Description = "Pairs per step (default: the recipe's)." };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default: the recipe's)." };
        var clip = new Option<string?>("--clip") { Description = "CLIP folder to start from (default: the recipe's)." };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Model folder to write.", DefaultValueFactory = _ => "models/reward" };
        var checkpoint = new Option<string>("--checkpoint")
        {
            Description = "Resumable training checkpoint.",
            DefaultValueFactory = _ => "data/train/reward/checkpoint.bin",
        };
        var evalPairs = new Option<int>("--eval-pairs") { Description = "Held-out pairs for the card.", DefaultValueFactory = _ => 1000 };
        var command = new Command("reward", "Train the reward model r(image, prompt) on the world's preference pairs (Bradley-Terry; resumes after a kill).")
        {
            recipePath, steps, batch, lr, clip, threads, output, checkpoint, evalPairs,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var recipe = File.Exists(parse.GetValue(recipePath)!) ? RewardRecipe.Load(parse.GetValue(recipePath)!) : new RewardRecipe();
            recipe = recipe with
            {
                TotalSteps = parse.GetValue(steps) ?? recipe.TotalSteps,
                BatchSize = parse.GetValue(batch) ?? recipe.BatchSize,
                LearningRate = parse.GetValue(lr) ?? recipe.LearningRate,
                Clip = parse.GetValue(clip) ?? recipe.Clip,
            };
            recipe = recipe with { MinLearningRate = Math.Min(recipe.MinLearningRate, recipe.LearningRate) };
            return Task.FromResult(Run(recipe, parse.GetValue(threads), parse.GetValue(output)!, parse.GetValue(checkpoint)!, parse.GetValue(evalPairs), cancellationToken));
        });
        return command;
    }

    private static int Run(RewardRecipe recipe, int threads, string output, string checkpoint, int evalPairs, CancellationToken cancellationToken)
    {
        recipe.Validate();
        TorchRuntime.SetThreads(threads);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
        var runLog = TrainingRunLog.Open(checkpoint, string.Create(CultureInfo.InvariantCulture,
            $"mediastudio train reward --steps {recipe.TotalSteps} --batch {recipe.BatchSize} --lr {recipe.LearningRate} --clip {recipe.Clip} --threads {threads}"));

        using var clip = ClipModel.FromPretrained(recipe.Clip);
        var config = new RewardConfig
        {
            Clip = clip.Config with { AttributeLogits = 0 },
            HiddenSize = recipe.HiddenSize,
            TrainableVisionStages = recipe.TrainableVisionStages,
            ClipSource = recipe.Clip,
            ClipWeightsSha256 = Sha256Manifest.Read(recipe.Clip)[ModelFolder.WeightsFileName],
        };
        TrainingSeed.Set(recipe.Seed);
        using var model = RewardModel.FromClip(clip, config);
        var parameters = model.parameters().Sum(p => p.numel());
        var trainable = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture,
            $"reward: {parameters:N0} parameters ({trainable:N0} trained), {recipe.TotalSteps} steps x {recipe.BatchSize} pairs, {threads} torch thread(s)");

        var clock = Stopwatch.StartNew();
        var console = new TrainingConsole("reward");
        var progress = new Progress<TrainingProgress>(p =>
        {
            runLog.SaveSeconds(clock.Elapsed.TotalSeconds);
            console.Report(p);
        });
        RewardTraining.Train(model, recipe, checkpoint, progress, cancellationToken);
        var trainingSeconds = runLog.SaveSeconds(clock.Elapsed.TotalSeconds);

        var evaluation = RewardTraining.Evaluate(model, evalPairs, clip);
        model.Save(output, Card(config, recipe, parameters, trainable, trainingSeconds, threads, evaluation, [.. runLog.Commands]));
        File.WriteAllText(Path.Combine(output, "recipe.json"), recipe.ToJson() + "\n");
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"wrote {Markup.Escape(output)} after {trainingSeconds / 60:F1} min of training");
        EvalRewardCommand.Print(evaluation);
        return 0;
    }

    private static string Card(
        RewardConfig config, RewardRecipe recipe, long parameters, long trainable, double seconds, int threads, RewardEvaluation evaluation, string[] runs)
    {
        var inv = CultureInfo.InvariantCulture;
        var card = new StringBuilder();
        card.Append("# reward\n\n");
        card.Append("Reward model r(image, prompt) on the CLIP towers: r = MLP([i; t; i * t]) + w * cos(i, t), with i and t the normalised ")
            .Append(inv, $"CLIP image and text embeddings ({config.Clip.ProjectionDim}-d) and an MLP of width {config.HiddenSize}. ")
            .Append("Differentiable in the image (ReNeg backpropagates -r through a decoded image). This folder holds every weight it needs ")
            .Append(inv, $"(both towers included) and the tokenizer; it was built from `{config.ClipSource}` (model.safetensors SHA-256 `{config.ClipWeightsSha256}`).\n\n");
        card.Append("## Recipe\n\n");
        card.Append("- commands, in order (a repeated line is a restart that resumed the checkpoint):\n");
        foreach (var run in runs)
        {
            card.Append(inv, $"  - `{run}`\n");
        }

        card.Append(inv, $"- {parameters:N0} parameters, {trainable:N0} trained: the head, w, and the image tower's last {config.TrainableVisionStages} PAT stage(s), readout LayerNorm and projection; ")
            .Append("the text tower and the earlier image stages stay frozen, and the towers run in eval mode (BatchNorm running statistics)\n");
        card.Append(inv, $"- AdamW lr {recipe.LearningRate} (warm-up {recipe.WarmupSteps} steps, cosine to {recipe.MinLearningRate} at step {recipe.TotalSteps}), ")
            .Append(inv, $"weight decay {recipe.WeightDecay}, grad clip {recipe.GradClip}, seed {recipe.Seed}; recipe.json beside this card\n");
        card.Append(inv, $"- data: every step {recipe.BatchSize} fresh `PreferencePair.Sample` pairs (seeds below 2^62): the prompt with its clean render (chosen) ")
            .Append("and a worse render (rejected): half degraded (blur, noise, low contrast, colour cast, blockiness, wrong colours), half with one object's shape, colour or size wrong\n");
        card.Append("- loss: Bradley-Terry, mean -log sigmoid(r(chosen) - r(rejected))\n");
        card.Append(inv, $"- training time: {seconds / 60:F1} min wall clock on this machine's CPU ({threads} torch thread; the machine is shared with other jobs)\n\n");
        card.Append(EvalRewardCommand.Markdown(evaluation));
        card.Append("\n## Config\n\n```json\n").Append(JsonSerializer.Serialize(config, IndentedJson)).Append("\n```\n");
        return card.ToString();
    }
}
