using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MediaStudio.Language.Captioning;
using MediaStudio.Language.Generation;
using MediaStudio.Language.Training;
using MediaStudio.Neural.Runtime;
using MediaStudio.Synthetic.World;
using Spectre.Console;
using static TorchSharp.torch;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio bench decode</c>: tokens per second and time to first token of the student and the teacher at batch 1.</summary>
/// <remarks>Every run decodes a fixed number of tokens (stop tokens ignored) from held-out image and clip prompts, greedy
/// with the KV cache, after one warm-up; figures are medians over the prompts. This is the baseline speculative decoding must beat.</remarks>
internal static class DecodeBenchCommand
{
    public static Command Create()
    {
        var student = new Option<string>("--student") { Description = "Student captioner folder.", DefaultValueFactory = _ => "models/captioner-student" };
        var teacher = new Option<string>("--teacher") { Description = "Teacher captioner folder.", DefaultValueFactory = _ => "models/captioner-teacher" };
        var samples = new Option<int>("--samples") { Description = "Prompts per model (half images, half clips).", DefaultValueFactory = _ => 8 };
        var tokens = new Option<int>("--tokens") { Description = "Tokens decoded per prompt.", DefaultValueFactory = _ => 64 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("decode", "Decode speed (tokens/s, time to first token) of the student and teacher captioners at batch 1.")
        {
            student, teacher, samples, tokens, threads, json,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var n = parse.GetValue(samples);
            var count = parse.GetValue(tokens);
            var results = new List<DecodeResult>();
            foreach (var folder in new[] { parse.GetValue(student)!, parse.GetValue(teacher)! })
            {
                using var pipeline = CaptionPipeline.Load(folder);
                results.Add(Measure(pipeline, folder, n, count));
            }

            var (s, t) = (results[0], results[1]);
            var report = new DecodeReport(
                parse.GetValue(threads), count, results,
                s.TokensPerSecond / t.TokensPerSecond,
                t.TimeToFirstTokenMs / s.TimeToFirstTokenMs);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, Indented));
                return 0;
            }

            var table = new Table().AddColumn("model").AddColumn("parameters").AddColumn("tokens/s").AddColumn("time to first token (ms)");
            foreach (var r in results)
            {
                table.AddRow(r.Model, r.Parameters.ToString("N0", CultureInfo.InvariantCulture), r.TokensPerSecond.ToString("F1", CultureInfo.InvariantCulture), r.TimeToFirstTokenMs.ToString("F1", CultureInfo.InvariantCulture));
            }

            table.Caption(string.Create(CultureInfo.InvariantCulture,
                $"batch 1, {count} tokens per prompt, {parse.GetValue(threads)} thread(s): student/teacher tokens/s {report.StudentOverTeacherTokensPerSecond:F2}x, teacher/student time to first token {report.TeacherOverStudentTimeToFirstToken:F2}x"));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static DecodeResult Measure(CaptionPipeline pipeline, string folder, int samples, int tokens)
    {
        var config = pipeline.Model.Config;
        var rng = WorldRandom.For(7, "bench-decode");
        var prompts = Enumerable.Range(0, samples).Select(i => i % 2 == 0
            ? CaptionerTraining.Image(CaptionerTraining.EvaluationSeedBase + i, config.Vision.ImageSize, rng)
            : CaptionerTraining.Clip(CaptionerTraining.EvaluationSeedBase + CaptionerTraining.EvaluationClipOffset + i, config, rng, config.ClipMotion)).ToList();
        var options = new GenerationOptions { MaxNewTokens = tokens };
        Run(pipeline, prompts[0], options); // warm-up
        var rates = new List<double>();
        var firsts = new List<double>();
        foreach (var sample in prompts)
        {
            var result = Run(pipeline, sample, options);
            var decodeSeconds = (result.Elapsed - result.TimeToFirstToken).TotalSeconds;
            rates.Add(result.Steps / decodeSeconds);
            firsts.Add(result.TimeToFirstToken.TotalMilliseconds);
        }

        return new DecodeResult(folder, pipeline.Model.parameters().Sum(p => p.numel()), Median(rates), Median(firsts));
    }

    // batch 1, stop tokens ignored so every prompt decodes exactly the same number of tokens
    private static GenerationResult Run(CaptionPipeline pipeline, CaptionSample sample, GenerationOptions options)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var size = pipeline.Model.Config.Vision.ImageSize;
        var pixels = CaptionerModel.ToClipPixels([sample.Frames], size);                                        // (1, F, 3, S, S)
        var motion = sample.MotionFrames is { } m ? CaptionerModel.ToClipPixels([m], size) : null;              // (1, F_m, 3, S, S)
        var started = System.Diagnostics.Stopwatch.StartNew();
        var prompt = pipeline.Model.Prompt(pixels, pipeline.Tokenizer.Image, pipeline.Tokenizer.BeginOfText, motion);
        var visionTime = started.Elapsed;
        var result = TextGenerator.Generate(pipeline.Model.LanguageModel, prompt, options, [], pipeline.Tokenizer.Padding, useCache: true, CancellationToken.None);
        return result with { TimeToFirstToken = result.TimeToFirstToken + visionTime, Elapsed = result.Elapsed + visionTime };
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed record DecodeResult(
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("parameters")] long Parameters,
        [property: JsonPropertyName("tokens_per_second")] double TokensPerSecond,
        [property: JsonPropertyName("time_to_first_token_ms")] double TimeToFirstTokenMs);

    private sealed record DecodeReport(
        [property: JsonPropertyName("threads")] int Threads,
        [property: JsonPropertyName("tokens_per_prompt")] int Tokens,
        [property: JsonPropertyName("models")] IReadOnlyList<DecodeResult> Models,
        [property: JsonPropertyName("student_over_teacher_tokens_per_second")] double StudentOverTeacherTokensPerSecond,
        [property: JsonPropertyName("teacher_over_student_time_to_first_token")] double TeacherOverStudentTimeToFirstToken);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
