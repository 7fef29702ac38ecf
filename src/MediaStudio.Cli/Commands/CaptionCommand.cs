using System.CommandLine;
using System.Text.Json;
using MediaStudio.Language.Captioning;
using MediaStudio.Media.Images;
using MediaStudio.Media.Video;
using MediaStudio.Neural.Runtime;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio caption FILE...</c>: captions images and videos with the shipped captioner.</summary>
internal static class CaptionCommand
{
    private static readonly HashSet<string> VideoExtensions = new(StringComparer.OrdinalIgnoreCase) { ".mp4", ".webm", ".mov", ".mkv", ".m4v", ".3gp" };

    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Images (png, jpeg, webp...) and videos (mp4, webm, mov, mkv).", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = "Captioner folder.", DefaultValueFactory = _ => "models/captioner-student" };
        var temperature = new Option<float>("--temperature") { Description = "0 = greedy.", DefaultValueFactory = _ => 0f };
        var topK = new Option<int>("--top-k") { Description = "Keep the k most likely tokens (0 = all).", DefaultValueFactory = _ => 0 };
        var topP = new Option<float>("--top-p") { Description = "Nucleus mass (1 = all).", DefaultValueFactory = _ => 1f };
        var seed = new Option<long>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print [{file, kind, caption}] as JSON." };
        var command = new Command("caption", "Caption images and videos.") { files, model, temperature, topK, topP, seed, threads, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var options = new GenerationOptions { Temperature = parse.GetValue(temperature), TopK = parse.GetValue(topK), TopP = parse.GetValue(topP), Seed = parse.GetValue(seed) };
            options.Validate();
            using var pipeline = CaptionPipeline.Load(parse.GetValue(model)!);
            var images = new SafeImageCodec();
            var video = new VideoCodec();
            var results = new List<CaptionResult>();
            var failed = false;
            foreach (var file in parse.GetValue(files)!)
            {
                try
                {
                    if (VideoExtensions.Contains(Path.GetExtension(file)))
                    {
                        var frames = await video.DecodeAsync(file, cancellationToken);
                        results.Add(new CaptionResult(file, "video", pipeline.CaptionClip(frames, options, cancellationToken)));
                    }
                    else
                    {
                        results.Add(new CaptionResult(file, "image", pipeline.CaptionImages([images.DecodeFile(file)], options, cancellationToken)[0]));
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or MediaFormatException or ImageRejectedException or InvalidDataException)
                {
                    results.Add(new CaptionResult(file, "error", e.Message));
                    failed = true;
                }
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(results, Indented));
            }
            else
            {
                foreach (var r in results)
                {
                    Console.WriteLine($"{r.File}: {(r.Kind == "error" ? "error: " : "")}{r.Caption}");
                }
            }

            return failed ? 1 : 0;
        });
        return command;
    }

    private sealed record CaptionResult(
        [property: System.Text.Json.Serialization.JsonPropertyName("file")] string File,
        [property: System.Text.Json.Serialization.JsonPropertyName("kind")] string Kind,
        [property: System.Text.Json.Serialization.JsonPropertyName("caption")] string Caption);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
