using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Diffusion.Clip;
using MediaStudio.Neural.Runtime;
using MediaStudio.Neural.Training;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio train clip</c>: trains the CLIP dual encoder on the world's images and captions; a killed run resumes.</summary>
internal static class TrainClipCommand
{
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    public static Command Create()
    {
        var recipePath = new Option<string>("--recipe") { Description = "Recipe JSON.", DefaultValueFactory = _ => "models/clip/recipe.json" };
        var steps = new Option<long?>("--steps") { Description = "Optimizer steps (default: the recipe's)." };
        var batch = new Option<int?>("--batch") { Description = "Pairs per step (default: the recipe's)." };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default: the recipe's)." };
        var seed = new Option<long?>("--seed") { Description = "Run seed (default: the recipe's)." };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Model folder to write.", DefaultValueFactory = _ => "models/clip" };
        var checkpoint = new Option<string>("--checkpoint")
        {
            Description = "Resumable training checkpoint.",
            DefaultValueFactory = _ => "data/train/clip/checkpoint.bin",
        };
        var evalSamples = new Option<int>("--eval-samples") { Description = "Held-out pairs for the card's retrieval figures.", DefaultValueFactory = _ => 1024 };
        var command = new Command("clip", "Train the CLIP text and image encoders contrastively on fresh renders and captions (resumes after a kill).")
        {
            recipePath, steps, batch, lr, seed, threads, output, checkpoint, evalSamples,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var recipe = File.Exists(parse.GetValue(recipePath)!) ? ClipRecipe.Load(parse.GetValue(recipePath)!) : new ClipRecipe();
            recipe = recipe with
            {
                TotalSteps = parse.GetValue(steps) ?? recipe.TotalSteps,
                BatchSize = parse.GetValue(batch) ?? recipe.BatchSize,
                LearningRate = parse.GetValue(lr) ?? recipe.LearningRate,
                Seed = parse.GetValue(seed) ?? recipe.Seed,
            };
            recipe = recipe with { MinLearningRate = Math.Min(recipe.MinLearningRate, recipe.LearningRate) };
            return Task.FromResult(Run(recipe, parse.GetValue(threads), parse.GetValue(output)!, parse.GetValue(checkpoint)!, parse.GetValue(evalSamples), cancellationToken));
        });
        return command;
    }

    private static int Run(ClipRecipe recipe, int threads, string output, string checkpoint, int evalSamples, CancellationToken cancellationToken)
    {
        recipe.Validate();
        TorchRuntime.SetThreads(threads);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
        var runLog = TrainingRunLog.Open(checkpoint, string.Create(CultureInfo.InvariantCulture,
            $"mediastudio train clip --steps {recipe.TotalSteps} --batch {recipe.BatchSize} --lr {recipe.LearningRate} --seed {recipe.Seed} --threads {threads}"));

        var tokenizer = ClipTokenizer.BuildFromWorld(recipe.ContextLength, recipe.VocabScenes);
        var config = ClipTraining.DefaultConfig(tokenizer);
        TrainingSeed.Set(recipe.Seed);
        using var model = ClipModel.FromConfig(config, tokenizer);
        var parameters = model.parameters().Sum(p => p.numel());
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture,
            $"clip: {parameters:N0} parameters, vocabulary {tokenizer.VocabSize}, context {tokenizer.ContextLength}, {recipe.TotalSteps} steps x {recipe.BatchSize} pairs, {threads} torch thread(s)");

        var clock = Stopwatch.StartNew();
        var console = new TrainingConsole("clip");
        var progress = new Progress<TrainingProgress>(p =>
        {
            runLog.SaveSeconds(clock.Elapsed.TotalSeconds);
            console.Report(p);
        });
        ClipTraining.Train(model, recipe, checkpoint, progress, cancellationToken);
        var trainingSeconds = runLog.SaveSeconds(clock.Elapsed.TotalSeconds);

        var evaluation = ClipTraining.Evaluate(model, evalSamples, degradationRate: recipe.DegradationRate);
        model.Save(output, Card(config, recipe, parameters, trainingSeconds, threads, evaluation, model.LogitScale, [.. runLog.Commands]));
        File.WriteAllText(Path.Combine(output, "recipe.json"), recipe.ToJson() + "\n");
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"wrote {Markup.Escape(output)} after {trainingSeconds / 60:F1} min of training");
        EvalClipCommand.Print(evaluation);
        return 0;
    }

    private static string Card(
        ClipConfig config, ClipRecipe recipe, long parameters, double seconds, int threads, ClipEvaluation evaluation, double logitScale, string[] runs)
    {
        var inv = CultureInfo.InvariantCulture;
        var card = new StringBuilder();
        card.Append("# clip\n\n");
        card.Append("CLIP-style dual encoder trained on the procedural world: a causal text transformer ")
            .Append(inv, $"(width {config.Text.HiddenSize}, {config.Text.NumHiddenLayers} layers, {config.Text.NumAttentionHeads} heads, context {config.Text.MaxPositionEmbeddings}, ")
            .Append(inv, $"word-level vocabulary of {config.Text.VocabSize} tokens in vocab.json) and a PAT image tower on {config.Vision.ImageSize}x{config.Vision.ImageSize} renders, ")
            .Append(inv, $"projected to a shared {config.ProjectionDim}-d space. `ClipModel.EncodePromptTokens` returns the (B, {config.Text.MaxPositionEmbeddings}, {config.Text.HiddenSize}) ")
            .Append("token states that condition the UNet; the image tower is the reward model's backbone.\n\n");
        card.Append("## Recipe\n\n");
        card.Append("- commands, in order (a repeated line is a restart that resumed the checkpoint):\n");
        foreach (var run in runs)
        {
            card.Append(inv, $"  - `{run}`\n");
        }

        card.Append(inv, $"- {parameters:N0} parameters; AdamW lr {recipe.LearningRate} (warm-up {recipe.WarmupSteps} steps, cosine to {recipe.MinLearningRate} at step {recipe.TotalSteps}), ")
            .Append(inv, $"weight decay {recipe.WeightDecay}, grad clip {recipe.GradClip}, seed {recipe.Seed}; recipe.json beside this card\n");
        card.Append(inv, $"- data: every step {recipe.BatchSize} fresh renders (scene seeds below 2^62, {recipe.DegradationRate * 100:F0}% with a named degradation) with one random caption each\n");
        card.Append(inv, $"- loss: symmetric InfoNCE with a learnable temperature (init 1/0.07, clamp 100; final {logitScale:F1}) ")
            .Append(inv, $"+ {recipe.AttributeLossWeight} x an auxiliary attribute loss: two linear heads predict the recognizer's 23 attribute heads ")
            .Append("(background kind and colours; per region: shape or absent, colour, size, texture) from the pooled text state and from the image embedding, ")
            .Append("mean cross-entropy per head each. It makes the text states carry every object's attributes for the UNet and speeds up the image tower.\n");
        card.Append(inv, $"- training time: {seconds / 60:F1} min wall clock on this machine's CPU ({threads} torch thread; the machine is shared with other jobs)\n\n");
        card.Append(EvalClipCommand.Markdown(evaluation));
        card.Append("\n## Config\n\n```json\n").Append(JsonSerializer.Serialize(config, IndentedJson)).Append("\n```\n");
        return card.ToString();
    }
}
