using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MediaStudio.Diffusion.Negatives;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Reward;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using MediaStudio.Neural.Training;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio train negative-embedding</c>: learns a global ReNeg negative embedding against the bundled
/// UNet and reward model; a killed run resumes from its checkpoint.</summary>
internal static class TrainNegativeEmbeddingCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "Name of the embedding (folder under models/negatives).", Required = true };
        var prompts = new Option<string?>("--prompts") { Description = "Training prompts, one per line (default: 2000 world captions)." };
        var recipe = new Option<string>("--recipe") { Description = "Recipe JSON.", DefaultValueFactory = _ => "models/negatives/recipe.json" };
        var steps = new Option<long?>("--steps") { Description = "Optimizer steps (default: the recipe's)." };
        var batch = new Option<int?>("--batch") { Description = "Prompts per step (default: the recipe's)." };
        var models = new Option<string>("--models") { Description = "Models folder.", DefaultValueFactory = _ => "models" };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 2 };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Resumable checkpoint (default: data/train/negatives/NAME.bin)." };
        var command = new Command("negative-embedding", "Learn a global negative embedding with reward guidance (ReNeg; resumes after a kill).")
        {
            name, prompts, recipe, steps, batch, models, threads, checkpoint,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var embeddingName = parse.GetValue(name)!;
            NegativeEmbedding.ValidateName(embeddingName);
            return Task.FromResult(Run(
                embeddingName, parse.GetValue(prompts), parse.GetValue(recipe)!, parse.GetValue(steps), parse.GetValue(batch), parse.GetValue(models)!,
                parse.GetValue(threads), parse.GetValue(checkpoint) ?? $"data/train/negatives/{embeddingName}.bin", cancellationToken));
        });
        return command;
    }

    /// <summary>Reads a prompt file: one prompt per line, blank lines skipped.</summary>
    /// <exception cref="ArgumentException">The file has no prompt.</exception>
    public static IReadOnlyList<string> ReadPrompts(string path)
    {
        var lines = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return lines.Count > 0 ? lines : throw new ArgumentException($"{path} has no prompts (one per line)");
    }

    private static int Run(
        string name, string? promptFile, string recipePath, long? steps, int? batch, string models, int threads, string checkpoint, CancellationToken cancellationToken)
    {
        TorchRuntime.SetThreads(threads);
        var recipe = ReNegOptions.LoadOrDefault(recipePath);
        recipe = recipe with { Steps = steps ?? recipe.Steps, BatchSize = batch ?? recipe.BatchSize };
        recipe.Validate();
        var prompts = promptFile is null ? GlobalNegativeTraining.WorldPrompts() : ReadPrompts(promptFile);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
        var run = TrainingRunLog.Open(checkpoint, string.Create(CultureInfo.InvariantCulture,
            $"mediastudio train negative-embedding --name {name}{(promptFile is null ? "" : $" --prompts {promptFile}")} --steps {recipe.Steps} --batch {recipe.BatchSize} --threads {threads}"));

        using var pipeline = TextToImagePipeline.Load(models);
        using var reward = RewardModel.FromPretrained(Path.Combine(models, "reward"), pipeline.Device);
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture,
            $"negative embedding '{Markup.Escape(name)}': {prompts.Count} prompts, {recipe.Steps} steps x {recipe.BatchSize}, guidance {recipe.Guidance}");
        var bar = new TrainingConsole("reneg", logEvery: 10);
        var clock = Stopwatch.StartNew();
        var progress = new Progress<TrainingProgress>(p =>
        {
            run.SaveSeconds(clock.Elapsed.TotalSeconds);
            bar.Extra = string.Create(CultureInfo.InvariantCulture, $"reward {-p.Loss:F3}");
            bar.Report(p);
        });
        using var embedding = GlobalNegativeTraining.Train(
            pipeline, models, new RewardModelFunction(reward), name, prompts, recipe, checkpoint, progress, run.Commands, run.PreviousSeconds, cancellationToken);
        run.SaveSeconds(clock.Elapsed.TotalSeconds);
        var root = Path.Combine(models, "negatives");
        embedding.Save(root);
        AtomicFile.WriteAllText(Path.Combine(root, name, ModelFolder.CardFileName), Card(embedding.Card, recipe));
        var card = embedding.Card;
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture,
            $"wrote {Markup.Escape(Path.Combine(root, name))}: held-out reward {card.RewardBefore:F3} (empty prompt) -> {card.RewardAfter:F3} (learned) on {GlobalNegativeTraining.CheckPrompts} prompts, {card.TrainingSeconds / 60:F1} min");
        AnsiConsole.MarkupLine("compare it with [bold]mediastudio eval negatives --card[/]");
        return 0;
    }

    private static string Card(NegativeEmbeddingCard card, ReNegOptions recipe)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(inv, $"# negative embedding: {card.Name}\n\n");
        text.Append("A learned global negative embedding (ReNeg): the whole (tokens x width) text-encoder output that replaces the empty prompt's ")
            .Append("states in the unconditional branch of classifier-free guidance, trained by gradient ascent on `models/reward` with guidance inside ")
            .Append("the training graph. It belongs to the text tower that conditions `models/unet` (the one that folder carries, trained with it, else `models/clip`'s) and was trained against that UNet (hashes in card.json).\n\n");
        text.Append("## Recipe\n\n");
        foreach (var line in card.Commands)
        {
            text.Append(inv, $"- `{line}`\n");
        }

        text.Append(inv, $"- ({card.Tokens}, {card.Width}) states, started from the empty prompt's; AdamW lr {recipe.LearningRate} cosine to a tenth, ")
            .Append(inv, $"{recipe.Steps} steps x {recipe.BatchSize} prompts from {card.PromptCount}; DDIM {recipe.SamplingSteps} steps without gradient, ")
            .Append(inv, $"the gradient step drawn from the last {recipe.LateSteps}; guidance {recipe.Guidance} (generate with a scale close to it)\n");
        text.Append(inv, $"- training time: {card.TrainingSeconds / 60:F1} min on this machine's CPU\n");
        text.Append(inv, $"- reward on {GlobalNegativeTraining.CheckPrompts} held-out prompts (fixed seeds), measured by the training command: ")
            .Append(inv, $"{card.RewardBefore:F3} with the empty prompt, {card.RewardAfter:F3} with the learned embedding\n\n");
        text.Append(EvalCardSection.Placeholder).Append('\n');
        return text.ToString();
    }
}
