using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MediaStudio.Diffusion.Negatives;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Reward;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Media.Images;
using MediaStudio.Neural.Runtime;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio generate</c>: text to image from the bundled models, written as PNG files.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var prompt = new Option<string>("--prompt") { Description = "What to draw.", Required = true };
        var negativePrompt = new Option<string?>("--negative-prompt") { Description = "A hand-written negative prompt." };
        var negativeEmbedding = new Option<string?>("--negative-embedding") { Description = "A learned negative embedding (name under models/negatives)." };
        var refine = new Option<bool>("--refine") { Description = "Refine the embedding for this prompt first (ReNeg per-prompt; needs models/reward)." };
        var seed = new Option<long?>("--seed") { Description = "Seed of the first image (random when omitted)." };
        var steps = new Option<int>("--steps") { Description = "Sampler steps.", DefaultValueFactory = _ => 20 };
        var guidance = new Option<double>("--guidance") { Description = "Guidance scale.", DefaultValueFactory = _ => 5 };
        var sampler = new Option<string>("--sampler") { Description = $"One of {string.Join(", ", SamplerKinds.CliNames)}.", DefaultValueFactory = _ => "dpmpp_2m" };
        var count = new Option<int>("--count") { Description = "Images (seeds seed, seed+1, ...).", DefaultValueFactory = _ => 1 };
        var size = new Option<int>("--size") { Description = "Width and height in pixels.", DefaultValueFactory = _ => 64 };
        var models = new Option<string>("--models") { Description = "Models folder.", DefaultValueFactory = _ => "models" };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var output = new Option<string>("--out") { Description = "Folder for the PNGs.", Required = true };
        var command = new Command("generate", "Draw images from a prompt with the bundled models.")
        {
            prompt, negativePrompt, negativeEmbedding, refine, seed, steps, guidance, sampler, count, size, models, threads, output,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            if (parse.GetValue(negativePrompt) is not null && parse.GetValue(negativeEmbedding) is not null)
            {
                Console.Error.WriteLine("mediastudio: error: give --negative-prompt or --negative-embedding, not both");
                return Task.FromResult(2);
            }

            var request = new TextToImageRequest
            {
                Prompt = parse.GetValue(prompt)!,
                Negative = parse.GetValue(negativeEmbedding) is not null ? NegativeKind.Embedding
                    : parse.GetValue(negativePrompt) is not null ? NegativeKind.Prompt : NegativeKind.None,
                NegativePrompt = parse.GetValue(negativePrompt),
                Seed = parse.GetValue(seed) ?? Random.Shared.NextInt64(0, 1L << 40),
                Steps = parse.GetValue(steps),
                Guidance = parse.GetValue(guidance),
                Sampler = SamplerKinds.Parse(parse.GetValue(sampler)!),
                Count = parse.GetValue(count),
                Width = parse.GetValue(size),
                Height = parse.GetValue(size),
            };
            return Task.FromResult(Run(request, parse.GetValue(negativeEmbedding), parse.GetValue(refine), parse.GetValue(models)!, parse.GetValue(threads), parse.GetValue(output)!, cancellationToken));
        });
        return command;
    }

    private static int Run(TextToImageRequest request, string? embeddingName, bool refine, string models, int threads, string output, CancellationToken cancellationToken)
    {
        TorchRuntime.SetThreads(threads);
        var clock = Stopwatch.StartNew();
        using var pipeline = TextToImagePipeline.Load(models);
        using var embedding = embeddingName is null ? null : NegativeEmbedding.Load(Path.Combine(models, "negatives"), embeddingName, pipeline.Device);
        if (embedding is not null)
        {
            pipeline.EnsureFits(embedding);
        }

        var loaded = clock.Elapsed;
        NegativeEmbedding? refined = null;
        if (refine)
        {
            if (embedding is null)
            {
                Console.Error.WriteLine("mediastudio: error: --refine starts from a learned embedding; give --negative-embedding");
                return 2;
            }

            using var reward = RewardModel.FromPretrained(Path.Combine(models, "reward"), pipeline.Device);
            var training = new ReNegTraining(pipeline, new RewardModelFunction(reward), ReNegOptions.LoadOrDefault(Path.Combine(models, "negatives", "recipe.json")));
            var (states, trace) = training.Refine(embedding.States, request.Prompt, request.Seed, cancellationToken);
            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"refined for this prompt: reward {string.Join(" -> ", trace.Select(r => r.ToString("F3", CultureInfo.InvariantCulture)))}");
            refined = new NegativeEmbedding(states, embedding.Card with { Variant = "per-prompt" });
            request = request with { Embedding = refined };
        }
        else
        {
            request = request with { Embedding = embedding };
        }

        Directory.CreateDirectory(output);
        var codec = new SafeImageCodec();
        IReadOnlyList<RgbImage> images = [];
        var sampling = Stopwatch.StartNew();
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask($"{request.Count} image(s), {request.Steps} steps", maxValue: 1);
                images = pipeline.Generate(request, step => task.Value = step.Fraction, cancellationToken);
                task.Value = 1;
            });
        var seconds = sampling.Elapsed.TotalSeconds;
        for (var i = 0; i < images.Count; i++)
        {
            var path = Path.Combine(output, string.Create(CultureInfo.InvariantCulture, $"{request.Seed + i}.png"));
            codec.SavePng(images[i], path);
            Console.WriteLine(path);
        }

        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture,
            $"{images.Count} image(s) in {seconds:F2} s ({seconds / images.Count:F2} s each, models loaded in {loaded.TotalSeconds:F1} s)");
        refined?.Dispose();
        return 0;
    }
}
