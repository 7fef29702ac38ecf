using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using MediaStudio.Synthetic.Recognition;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio eval t2i</c>: prompt adherence and diversity of the bundled text-to-image models on held-out prompts.</summary>
internal static class EvalT2iCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var single = new Option<int>("--single") { Description = "Held-out single-object prompts.", DefaultValueFactory = _ => 200 };
        var multi = new Option<int>("--multi") { Description = "Held-out two- and three-object prompts.", DefaultValueFactory = _ => 100 };
        var steps = new Option<int>("--steps") { Description = "Sampler steps.", DefaultValueFactory = _ => 20 };
        var guidance = new Option<double>("--guidance") { Description = "Guidance scale.", DefaultValueFactory = _ => 5 };
        var sampler = new Option<string>("--sampler") { Description = "Sampler.", DefaultValueFactory = _ => "dpmpp_2m" };
        var models = new Option<string>("--models") { Description = "Models folder.", DefaultValueFactory = _ => "models" };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var card = new Option<bool>("--card") { Description = "Also write the result into models/unet/CARD.md." };
        var command = new Command("t2i", "Prompt adherence (read by the scene recognizer) and diversity of text to image on held-out prompts.")
        {
            single, multi, steps, guidance, sampler, models, threads, json, card,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var root = parse.GetValue(models)!;
            using var pipeline = TextToImagePipeline.Load(root);
            using var recognizer = ModelFolder.FromPretrained<SceneRecognizer, RecognizerConfig>(Path.Combine(root, "recognizer"), c => new SceneRecognizer(c));
            var clock = Stopwatch.StartNew();
            TextToImageEvaluation? result = null;
            EvalProgress.Create(parse.GetValue(json))
                .Start(context =>
                {
                    var task = context.AddTask("rendering held-out prompts", maxValue: 1);
                    result = TextToImageEvaluation.Run(
                        pipeline, recognizer, parse.GetValue(single), parse.GetValue(multi), parse.GetValue(steps), parse.GetValue(guidance),
                        SamplerKinds.Parse(parse.GetValue(sampler)!), progress: f => task.Value = f);
                });
            var seconds = clock.Elapsed.TotalSeconds;
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, Indented));
            }
            else
            {
                AnsiConsole.Write(new Markup(Markup.Escape(Markdown(result!, seconds))));
            }

            if (parse.GetValue(card))
            {
                EvalCardSection.Write(Path.Combine(root, "unet", ModelFolder.CardFileName), Markdown(result!, seconds));
            }

            return 0;
        });
        return command;
    }

    /// <summary>The result as the card's measured section.</summary>
    public static string Markdown(TextToImageEvaluation result, double seconds)
    {
        ArgumentNullException.ThrowIfNull(result);
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(inv, $"`mediastudio eval t2i --single {result.SingleObject.Prompts} --multi {result.MultiObject.Prompts} --steps {result.Steps} --guidance {result.Guidance} --sampler {result.Sampler}` ")
            .Append(inv, $"({seconds:F0} s). Held-out prompts (scene seeds from 2^62 + 5e7), one image each, read by `models/recognizer` ")
            .Append("(its own accuracy bounds these numbers: see its card).\n\n");
        var ceiling = result.Ceiling;
        text.Append("Beside each generated column, its ceiling: a true render of each prompt's scene after a round trip through `models/autoencoder` ")
            .Append("(the latent a perfect UNet would produce), read the same way.\n\n");
        text.Append("The column \"single, any place\" judges the same single-object images on how the object is drawn wherever it is ")
            .Append("placed (a misplaced object is compared with the one the prompt names instead of being counted wrong).\n\n");
        text.Append("| attribute | single object | single, any place | ceiling, single | two or three objects | ceiling, two or three |\n| --- | --- | --- | --- | --- | --- |\n");
        var keys = result.SingleObject.PerAttribute.Keys.Union(result.MultiObject.PerAttribute.Keys).Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            text.Append(inv, $"| {key} | {Percent(result.SingleObject.PerAttribute, key)} | {Percent(result.SingleObjectAnyPlace.PerAttribute, key)} ")
                .Append(inv, $"| {Percent(ceiling.RoundTrip.PerAttribute, key)} ")
                .Append(inv, $"| {Percent(result.MultiObject.PerAttribute, key)} | {Percent(ceiling.MultiRoundTrip.PerAttribute, key)} |\n");
        }

        text.Append(inv, $"| **all correct** | **{result.SingleObject.AllCorrect * 100:F1}%** | {result.SingleObjectAnyPlace.AllCorrect * 100:F1}% ")
            .Append(inv, $"| {ceiling.RoundTrip.AllCorrect * 100:F1}% ")
            .Append(inv, $"| **{result.MultiObject.AllCorrect * 100:F1}%** | {ceiling.MultiRoundTrip.AllCorrect * 100:F1}% |\n\n");
        text.Append(inv, $"The true renders themselves, read directly: all correct {ceiling.Renders.AllCorrect * 100:F1}% (single object), ")
            .Append(inv, $"{ceiling.MultiRenders.AllCorrect * 100:F1}% (two or three).\n\n");
        text.Append(inv, $"Diversity (mean pairwise RMS distance, 0-1, between 4 seeds of the same prompt, 8 prompts): {result.Diversity:F3}\n\n");
        text.Append(inv, $"Noise share of the first step: {result.FirstStepNoiseShare * 100:F1}% of the layout of the x0 prediction at t = N - 1 ")
            .Append("(its variance with each channel's spatial mean taken out; guided, the same 8 prompts, 4 seeds each) comes from the seed rather than the prompt. Near 0 the prompt lays out the image; near 100% ")
            .Append("the seed does, and the prompt's places are ignored.\n");
        return text.ToString();
    }

    private static string Percent(IReadOnlyDictionary<string, double> values, string key) =>
        values.TryGetValue(key, out var v) ? (v * 100).ToString("F1", CultureInfo.InvariantCulture) + "%" : "-";
}
