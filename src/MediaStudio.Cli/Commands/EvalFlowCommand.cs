using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MediaStudio.Diffusion.Video.Flow;
using MediaStudio.Neural.Runtime;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio eval flow</c>: end-point error of the flow estimator and mask-propagation IoU on held-out world clips.</summary>
internal static class EvalFlowCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var clips = new Option<int>("--clips") { Description = "Held-out clips to score.", DefaultValueFactory = _ => 20 };
        var frames = new Option<int>("--frames") { Description = "Frames per clip.", DefaultValueFactory = _ => 12 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var warps = new Option<int>("--warps") { Description = "Flow estimator warps per pyramid level.", DefaultValueFactory = _ => new FlowEstimatorOptions().Warps };
        var iterations = new Option<int>("--iterations") { Description = "Flow estimator iterations per warp.", DefaultValueFactory = _ => new FlowEstimatorOptions().Iterations };
        var lambda = new Option<double>("--lambda") { Description = "Flow estimator data weight λ.", DefaultValueFactory = _ => new FlowEstimatorOptions().Lambda };
        var median = new Option<int>("--median") { Description = "Flow estimator median filter size (1: off).", DefaultValueFactory = _ => new FlowEstimatorOptions().Median };
        var band = new Option<int>("--band") { Description = "Mask colour-correction band in pixels (0: flow only).", DefaultValueFactory = _ => new MaskPropagationOptions().ColourBand };
        var opening = new Option<int>("--opening") { Description = "Mask opening radius (0: off).", DefaultValueFactory = _ => new MaskPropagationOptions().OpeningRadius };
        var closing = new Option<int>("--closing") { Description = "Mask closing radius (0: off).", DefaultValueFactory = _ => new MaskPropagationOptions().ClosingRadius };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("flow", "Optical-flow end-point error and propagated-mask IoU against the world's ground truth on held-out clips.")
        {
            clips, frames, threads, warps, iterations, lambda, median, band, opening, closing, json,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var (count, length) = (parse.GetValue(clips), parse.GetValue(frames));
            var estimator = new FlowEstimator(new FlowEstimatorOptions { Warps = parse.GetValue(warps), Iterations = parse.GetValue(iterations), Lambda = parse.GetValue(lambda), Median = parse.GetValue(median) });
            var masks = new MaskPropagationOptions { ColourBand = parse.GetValue(band), OpeningRadius = parse.GetValue(opening), ClosingRadius = parse.GetValue(closing) };
            FlowEvaluation? done = null;
            EvalProgress.Create(parse.GetValue(json))
                .Start(context =>
                {
                    var task = context.AddTask("scoring held-out clips", maxValue: count);
                    done = FlowEvaluation.Run(count, length, estimator, masks, progress: new Progress<int>(c => task.Value = c), cancellationToken: cancellationToken);
                    task.Value = count;
                });
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(done, Indented));
                return Task.FromResult(0);
            }

            Print(done!);
            return Task.FromResult(0);
        });
        return command;
    }

    private static void Print(FlowEvaluation result)
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("EPE, all pixels (px)", result.Epe.ToString("F3", inv));
        table.AddRow("EPE, visible pixels (px)", result.EpeVisible.ToString("F3", inv));
        table.AddRow("EPE of zero flow, visible (px)", result.EpeZeroFlow.ToString("F3", inv));
        foreach (var (kind, (estimated, zero)) in result.EpeVisibleByBackground.Select(kv => (kv.Key, (kv.Value.Estimated, kv.Value.ZeroFlow))))
        {
            table.AddRow($"  {kind} background: EPE, zero-flow EPE (px)", string.Create(inv, $"{estimated:F3}, {zero:F3}"));
        }

        table.AddRow("mask IoU, frames 2..T", result.MaskIou.ToString("F3", inv));
        table.AddRow("mask IoU, last frame", result.MaskIouLastFrame.ToString("F3", inv));
        table.AddRow("seconds per frame pair", result.SecondsPerPair.ToString("F3", inv));
        table.Caption(string.Create(inv, $"{result.Clips} held-out clips (seeds from 2^62 + 9e7), {result.FramePairs} frame pairs, 64x64"));
        AnsiConsole.Write(table);
    }
}
