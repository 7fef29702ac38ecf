using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MediaStudio.Diffusion.Autoencoder;
using MediaStudio.Diffusion.Clip;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Diffusion.UNet;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Runtime;
using Spectre.Console;
using static TorchSharp.torch;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio bench t2i</c>: seconds per 20-step image for full self-attention against MSWA-2D, PAT on and off,
/// measured in one run and printed as ratios to full attention without PAT.</summary>
/// <remarks>Speed does not depend on the weights, so the variants are the shipped UNet config with fresh weights (the
/// bundled one is trained with full attention); the autoencoder and text encoder are the bundled ones. Repeats are
/// interleaved (variant A, B, C, D, A, B, ...) so a noisy neighbour slows every variant alike; the median is reported.</remarks>
internal static class T2iBenchCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var sizes = new Option<int[]>("--sizes") { Description = "Image sizes in pixels.", DefaultValueFactory = _ => [64, 128], AllowMultipleArgumentsPerToken = true };
        var steps = new Option<int>("--steps") { Description = "Sampler steps.", DefaultValueFactory = _ => 20 };
        var repeats = new Option<int>("--repeats") { Description = "Timed images per variant and size (median reported).", DefaultValueFactory = _ => 3 };
        var models = new Option<string>("--models") { Description = "Models folder (autoencoder, clip).", DefaultValueFactory = _ => "models" };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("t2i", "Seconds per 20-step image: full attention vs MSWA-2D, PAT on/off (ratios in one run).")
        {
            sizes, steps, repeats, models, threads, json,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var rows = Run(parse.GetValue(models)!, parse.GetValue(sizes)!, parse.GetValue(steps), parse.GetValue(repeats));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { steps = parse.GetValue(steps), threads = parse.GetValue(threads), rows }, Json));
                return 0;
            }

            var table = new Table().AddColumns("size", "attention", "pat", "s / image", "vs full, no PAT");
            foreach (var row in rows)
            {
                table.AddRow(
                    row.Size.ToString(CultureInfo.InvariantCulture), row.Attention, row.Pat ? "on" : "off",
                    row.SecondsPerImage.ToString("F3", CultureInfo.InvariantCulture), row.SpeedupVsFull.ToString("F2", CultureInfo.InvariantCulture) + "x");
            }

            table.Caption(string.Create(CultureInfo.InvariantCulture, $"{parse.GetValue(steps)} DPM-Solver++(2M) steps, guidance 5, one image at a time, {parse.GetValue(threads)} thread(s)"));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>One measured variant.</summary>
    public sealed record Row(int Size, string Attention, bool Pat, double SecondsPerImage, double SpeedupVsFull);

    private static List<Row> Run(string models, IReadOnlyList<int> sizes, int steps, int repeats)
    {
        using var noGrad = no_grad();
        using var autoencoder = AutoencoderKL.FromPretrained(Path.Combine(models, "autoencoder"));
        using var clip = ClipModel.FromPretrained(Path.Combine(models, "clip"));
        var schedule = new NoiseSchedule(TrainUNetCommand.Schedule);
        var width = (int)clip.Config.Text.HiddenSize;
        var unetFolder = Path.Combine(models, "unet");
        var bundled = File.Exists(Path.Combine(unetFolder, ModelFolder.ConfigFileName))
            ? ModelFolder.ReadConfig<UNetConfig>(unetFolder)
            : TrainUNetCommand.Config(autoencoder.Config, width, UNetConfig.Full, pat: false);
        var variants = new (string Attention, bool Pat)[] { (UNetConfig.Full, false), (UNetConfig.Mswa, false), (UNetConfig.Full, true), (UNetConfig.Mswa, true) };
        var rows = new List<Row>();
        foreach (var size in sizes)
        {
            var latent = size / autoencoder.Config.DownsampleFactor;
            var unets = variants.Select(v => new UNet2DConditionModel(Variant(bundled, v.Attention, v.Pat) with { SampleSize = latent })).ToList();
            var times = variants.Select(_ => new List<double>()).ToList();
            try
            {
                foreach (var unet in unets)
                {
                    unet.eval();
                    Image(unet, clip, autoencoder, schedule, latent, steps, 0); // warm-up
                }

                for (var r = 0; r < repeats; r++)
                {
                    for (var v = 0; v < unets.Count; v++)
                    {
                        times[v].Add(Image(unets[v], clip, autoencoder, schedule, latent, steps, r + 1));
                    }
                }
            }
            finally
            {
                unets.ForEach(u => u.Dispose());
            }

            var medians = times.Select(t => t.Order().ElementAt(t.Count / 2)).ToList();
            rows.AddRange(variants.Select((v, i) => new Row(size, v.Attention, v.Pat, medians[i], medians[0] / medians[i])));
        }

        return rows;
    }

    /// <summary>The bundled UNet's shape with every transformer level (and the mid block) switched to one attention kind.</summary>
    private static UNetConfig Variant(UNetConfig bundled, string attention, bool pat) => bundled with
    {
        Attention = [.. bundled.Attention.Select(a => a == UNetConfig.None ? a : attention)],
        MidBlockAttention = bundled.MidBlockAttention == UNetConfig.None ? UNetConfig.None : attention,
        PatResBlocks = pat,
    };

    // one whole image: encode the prompt, sample with guidance, decode; seconds
    private static double Image(UNet2DConditionModel unet, ClipModel clip, AutoencoderKL autoencoder, NoiseSchedule schedule, int latent, int steps, int seed)
    {
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        var context = clip.EncodePromptTokens(["a large red circle on the left, on a flat blue background", ""]);
        var noise = randn([1, unet.Config.InChannels, latent, latent], generator: new Generator((ulong)seed));
        var latents = TextToImagePipeline.Sample(unet, schedule, context.narrow(0, 0, 1), context.narrow(0, 1, 1), noise, SamplerKind.DpmSolverPlusPlus2M, steps, 5, null);
        _ = ImageTensors.ToImages(autoencoder.DecodeLatents(latents));
        return clock.Elapsed.TotalSeconds;
    }
}
