using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MediaStudio.Media.Images;
using MediaStudio.Media.Video;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Preview;
using MediaStudio.Synthetic.Scenes;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio dataset</c>: look at the procedural world (<c>preview</c>) and measure how fast it renders (<c>bench</c>).</summary>
internal static class DatasetCommand
{
    public static Command Create() => new("dataset", "The procedural world: labelled previews and a rendering benchmark.")
    {
        CreatePreview(),
        CreateBench(),
    };

    private static Command CreatePreview()
    {
        var output = new Option<string>("--out") { Description = "Folder for the preview PNGs, mp4s and captions.", Required = true };
        var seed = new Option<long>("--seed") { Description = "First seed.", DefaultValueFactory = _ => 0 };
        var images = new Option<int>("--images") { Description = "Scenes in the image grid.", DefaultValueFactory = _ => 24 };
        var clips = new Option<int>("--clips") { Description = "Clips to show.", DefaultValueFactory = _ => 3 };
        var command = new Command("preview", "Write labelled sample grids: scenes with captions, preference pairs, clips with masks, flow and the ground-truth edit.")
        {
            output, seed, images, clips,
        };
        command.SetAction((parse, cancellationToken) => PreviewAsync(
            parse.GetValue(output)!, parse.GetValue(seed), parse.GetValue(images), parse.GetValue(clips), cancellationToken));
        return command;
    }

    private static async Task<int> PreviewAsync(string output, long seed, int imageCount, int clipCount, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(output);
        var codec = new SafeImageCodec();
        var video = new VideoCodec();
        var labels = new StringBuilder();

        // 1. scenes: a numbered grid, and per number the label and three captions
        var tiles = new List<RgbImage>();
        labels.Append("# scenes.png\n\n");
        for (var i = 0; i < imageCount; i++)
        {
            var sample = SceneSampler.Sample(seed + i, new SceneSamplerOptions { DegradationRate = 0.3 });
            tiles.Add(Visualize.Number(SceneRendering.Render(sample, 96, 96), i));
            labels.Append(CultureInfo.InvariantCulture, $"{i}. {sample.Label.ToJson()}\n");
            foreach (var caption in Captioner.Captions(sample.Label, seed + i, 3))
            {
                labels.Append(CultureInfo.InvariantCulture, $"   - {caption}\n");
            }
        }

        codec.SavePng(ImageGrid.Compose(tiles, 8, scale: 2), Path.Combine(output, "scenes.png"));

        // 2. preference pairs: chosen left, rejected right
        var pairs = new List<RgbImage>();
        labels.Append("\n# preferences.png (chosen | rejected)\n\n");
        for (var i = 0; i < 8; i++)
        {
            var pair = PreferencePair.Sample(seed + i, 96, 96);
            pairs.Add(Visualize.Number(pair.Chosen, i));
            pairs.Add(pair.Rejected);
            labels.Append(CultureInfo.InvariantCulture, $"{i}. \"{pair.Prompt}\" -> rejected: {pair.Reason}\n");
        }

        codec.SavePng(ImageGrid.Compose(pairs, 4, scale: 2), Path.Combine(output, "preferences.png"));

        // 3. clips: rows of frames, instance masks, forward flow, occlusion, edited frames (+ reference); and the mp4s
        labels.Append("\n# clip-N.png rows: frames, instance masks, forward flow, occlusion, ground-truth edit (last tile: reference)\n\n");
        for (var c = 0; c < clipCount; c++)
        {
            var clip = ClipRenderer.Render(ClipSampler.Sample(seed + c, 64, 64, frameCount: 16));
            var step = Math.Max(1, clip.Frames.Count / 8);
            var indices = Enumerable.Range(0, 8).Select(k => Math.Min(k * step, clip.Frames.Count - 2)).ToList();
            var maxFlow = Visualize.MaxMagnitude(clip.ForwardFlow);
            var rows = new List<RgbImage>();
            rows.AddRange(indices.Select(t => Visualize.Number(clip.Frames[t], t)));
            rows.AddRange(indices.Select(t => Visualize.Instances(clip.InstanceMasks[t], 64, 64)));
            rows.AddRange(indices.Select(t => Visualize.Flow(clip.ForwardFlow[t], maxFlow)));
            rows.AddRange(indices.Select(t => Visualize.Mask(clip.Occlusions[t], 64, 64)));
            rows.AddRange(indices.Take(7).Select(t => clip.Edit.Frames[t]));
            rows.Add(clip.Edit.Reference);
            codec.SavePng(ImageGrid.Compose(rows, 8, scale: 2), Path.Combine(output, $"clip-{c}.png"));
            await ClipVideo.WriteAsync(clip, Path.Combine(output, $"clip-{c}"), video, codec, cancellationToken);
            var label = clip.Spec.Scene.Label;
            labels.Append(CultureInfo.InvariantCulture, $"clip-{c}: {clip.Frames.Count} frames, background {label.Background.Kind} {label.Background.Color}; ")
                .Append(CultureInfo.InvariantCulture, $"objects {string.Join(", ", label.Objects.Select(o => $"{o.Size} {o.Color} {o.Texture} {o.Shape}"))}; ")
                .Append(CultureInfo.InvariantCulture, $"edit: object {clip.Edit.ObjectIndex} -> {clip.Edit.Replacement.Color} {clip.Edit.Replacement.Texture} {clip.Edit.Replacement.Shape}; ")
                .Append(CultureInfo.InvariantCulture, $"max flow {maxFlow:F1} px/frame\n")
                .Append(CultureInfo.InvariantCulture, $"  - caption: {ClipCaptioner.Captions(clip.Spec, seed + c, 1)[0]}\n");
        }

        await File.WriteAllTextAsync(Path.Combine(output, "labels.md"), labels.ToString(), cancellationToken);
        AnsiConsole.MarkupLine($"wrote scenes.png, preferences.png, clip-N.png (+ mp4s) and labels.md to {Markup.Escape(output)}");
        return 0;
    }

    private static Command CreateBench()
    {
        var seconds = new Option<double>("--seconds") { Description = "Time per measurement.", DefaultValueFactory = _ => 5 };
        var size = new Option<int>("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 64 };
        var command = new Command("bench", "Measure how fast the world renders (images per second on one thread).")
        {
            seconds, size,
        };
        command.SetAction(parse =>
        {
            var budget = TimeSpan.FromSeconds(parse.GetValue(seconds));
            var side = parse.GetValue(size);
            var images = Measure(budget, i => SceneRendering.Render(SceneSampler.Sample(i), side, side));
            var captions = Measure(budget, i => CaptionParser.Parse(Captioner.Captions(SceneSampler.Sample(i).Label, i, 1)[0]));
            var frames = Measure(budget, i => ClipRenderer.Render(ClipSampler.Sample(i, side, side, frameCount: 16))) * 16;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"world bench ({side}x{side}, 1 thread): {images:F0} images/s (sample + render), {frames:F0} clip frames/s (with masks, flow both ways, occlusion and edit), {captions:F0} caption write+parse/s"));
            return 0;
        });
        return command;
    }

    private static double Measure(TimeSpan budget, Action<int> work)
    {
        work(0); // warm-up (JIT)
        var clock = Stopwatch.StartNew();
        var n = 0;
        while (clock.Elapsed < budget)
        {
            work(n + 1);
            n++;
        }

        return n / clock.Elapsed.TotalSeconds;
    }
}
