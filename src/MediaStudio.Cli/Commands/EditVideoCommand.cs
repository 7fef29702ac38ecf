using System.CommandLine;
using System.Globalization;
using MediaStudio.Diffusion.Video.Pipelines;
using MediaStudio.Media.Images;
using MediaStudio.Media.Video;
using MediaStudio.Neural.Runtime;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio edit-video</c>: replaces the object marked on frame 1 by the reference image in the whole clip.</summary>
internal static class EditVideoCommand
{
    public static Command Create()
    {
        var video = new Option<string>("--video") { Description = "Source video (mp4, webm, mov, mkv).", Required = true };
        var mask = new Option<string>("--mask") { Description = "Frame-1 mask image (white = replace); resized to the video if it differs.", Required = true };
        var reference = new Option<string>("--reference") { Description = "Reference image of the replacement.", Required = true };
        var output = new Option<string>("--out") { Description = "Output mp4 (H.264, yuv420p; keeps the source's audio).", Required = true };
        var steps = new Option<int>("--steps") { Description = "DDIM steps.", DefaultValueFactory = _ => 20 };
        var guidance = new Option<float>("--guidance") { Description = "Guidance scale on the reference.", DefaultValueFactory = _ => 3f };
        var seed = new Option<long>("--seed") { Description = "Noise seed.", DefaultValueFactory = _ => 0 };
        var models = new Option<string>("--models") { Description = "Models root.", DefaultValueFactory = _ => "models" };
        var sideBySide = new Option<string?>("--side-by-side") { Description = "Also write original | edited to this mp4." };
        var maxSide = new Option<int>("--max-side") { Description = "Longer side the video is decoded at (even).", DefaultValueFactory = _ => 256 };
        var maxRate = new Option<double>("--max-fps") { Description = "Highest frame rate kept.", DefaultValueFactory = _ => 12 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 2 };
        var maskShape = new Option<EditMaskShape>("--mask-shape") { Description = "What is repainted per frame: silhouette (keeps the outline) or box (room for a new shape).", DefaultValueFactory = _ => EditMaskShape.Box };
        var command = new Command("edit-video", "Replace the object marked on frame 1 by a reference image, through the whole clip.")
        {
            video, mask, reference, output, steps, guidance, seed, models, sideBySide, maxSide, maxRate, threads, maskShape,
        };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(video)!, parse.GetValue(mask)!, parse.GetValue(reference)!, parse.GetValue(output)!, parse.GetValue(steps), parse.GetValue(guidance),
            parse.GetValue(seed), parse.GetValue(models)!, parse.GetValue(sideBySide), parse.GetValue(maxSide), parse.GetValue(maxRate), parse.GetValue(threads), parse.GetValue(maskShape), ct));
        return command;
    }

    private static async Task<int> RunAsync(
        string videoPath, string maskPath, string referencePath, string output, int steps, float guidance, long seed, string models, string? sideBySide,
        int maxSide, double maxRate, int threads, EditMaskShape maskShape, CancellationToken ct)
    {
        TorchRuntime.SetThreads(threads);
        var codec = new VideoCodec();
        var images = new SafeImageCodec();
        var info = await codec.ProbeAsync(videoPath, ct);
        var scale = Math.Min(1.0, maxSide / (double)Math.Max(info.Width, info.Height));
        var width = Math.Max(2, (int)Math.Round(info.Width * scale / 2) * 2);
        var height = Math.Max(2, (int)Math.Round(info.Height * scale / 2) * 2);
        var rate = Math.Min(info.FrameRate, maxRate);
        var frames = await codec.DecodeResampledAsync(videoPath, width, height, rate, ct);
        var firstMask = MaskFromImage(images.DecodeFile(maskPath), width, height);
        var referenceImage = images.DecodeFile(referencePath);
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"{frames.Count} frames at {width}x{height}, {rate:F2} fps; mask covers {firstMask.Count(v => v != 0)} pixels");

        using var pipeline = VideoEditPipeline.Load(models);
        var request = new VideoEditRequest(frames, firstMask, referenceImage, steps, guidance, seed, MaskShape: maskShape);
        IReadOnlyList<RgbImage> edited = [];
        await AnsiConsole.Progress().StartAsync(async context =>
        {
            var task = context.AddTask("edit-video", maxValue: 1);
            var progress = new SyncProgress(p =>
            {
                task.Value = p.Fraction;
                task.Description = p.Stage == "denoise" ? $"chunk {p.Chunk}/{p.ChunkCount} step {p.Step}/{p.StepCount}" : p.Stage;
            });
            edited = await Task.Run(() => pipeline.Edit(request, progress, ct), ct);
        });

        await codec.EncodeMp4Async(edited, output, rate, ct, audioFrom: info.HasAudio ? videoPath : null);
        if (sideBySide is not null)
        {
            await codec.EncodeSideBySideAsync(frames, edited, sideBySide, rate, ct, audioFrom: info.HasAudio ? videoPath : null);
        }

        AnsiConsole.MarkupLine($"wrote {Markup.Escape(output)}{(sideBySide is null ? "" : " and " + Markup.Escape(sideBySide))}");
        return 0;
    }

    // Luma > 127 is inside; resized by nearest neighbour when the mask was drawn at another size.
    private static byte[] MaskFromImage(RgbImage image, int width, int height)
    {
        var mask = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var o = image.Offset(Math.Min(image.Width - 1, x * image.Width / width), Math.Min(image.Height - 1, y * image.Height / height));
                var luma = (0.299 * image.Pixels[o]) + (0.587 * image.Pixels[o + 1]) + (0.114 * image.Pixels[o + 2]);
                mask[(y * width) + x] = luma > 127 ? (byte)255 : (byte)0;
            }
        }

        return mask;
    }

    private sealed class SyncProgress(Action<VideoEditProgress> report) : IProgress<VideoEditProgress>
    {
        public void Report(VideoEditProgress value) => report(value);
    }
}
