using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MediaStudio.Neural.Attention;
using MediaStudio.Neural.Runtime;
using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio bench attention</c>: time per forward, decode step and cache bytes per token of each attention variant.</summary>
internal static class AttentionBenchCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Write the results as JSON instead of a table." };
        var lengths = new Option<int[]>("--lengths")
        {
            Description = "Sequence lengths.",
            DefaultValueFactory = _ => [256, 1024, 4096],
            AllowMultipleArgumentsPerToken = true,
        };
        var window = new Option<int>("--window") { Description = "Sliding window w; MSWA uses w/4, w/2, w, 2w.", DefaultValueFactory = _ => 256 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats per measurement (median reported).", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads; 0 means every core.", DefaultValueFactory = _ => 1 };
        var command = new Command("attention", "Full MHA, GQA, MLA (naive and absorbed), sliding window and MSWA at several sequence lengths.")
        {
            json, lengths, window, repeats, threads,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var options = new AttentionBenchmarkOptions
            {
                Lengths = parse.GetValue(lengths)!,
                Window = parse.GetValue(window),
                Repeats = parse.GetValue(repeats),
            };
            if (parse.GetValue(json))
            {
                var rows = AttentionBenchmark.Run(options);
                Console.WriteLine(JsonSerializer.Serialize(new { options, threads = parse.GetValue(threads), rows }, JsonOptions));
                return 0;
            }

            IReadOnlyList<AttentionBenchmarkRow> results = [];
            AnsiConsole.Progress().Start(context =>
            {
                var task = context.AddTask("attention", maxValue: options.Lengths.Count * 3);
                results = AttentionBenchmark.Run(options, new InlineProgress(label =>
                {
                    task.Description = Markup.Escape(label);
                    task.Increment(1);
                }));
                task.Value = task.MaxValue;
            });
            if (Console.IsOutputRedirected)
            {
                AnsiConsole.Profile.Width = 160; // a log file is not an 80-column terminal; keep rows on one line
            }

            AnsiConsole.Write(Render(results, options, parse.GetValue(threads)));
            return 0;
        });
        return command;
    }

    private static Table Render(IReadOnlyList<AttentionBenchmarkRow> rows, AttentionBenchmarkOptions options, int threads)
    {
        var table = new Table()
            .Title($"Attention layer, d_model {options.HiddenSize}, {options.Heads} heads, batch 1, causal, {threads} thread(s), median of {options.Repeats}")
            .AddColumn("variant")
            .AddColumn(new TableColumn("T").RightAligned())
            .AddColumn(new TableColumn("forward ms").RightAligned())
            .AddColumn(new TableColumn("speed-up vs MHA").RightAligned())
            .AddColumn(new TableColumn("kernel ms").RightAligned())
            .AddColumn(new TableColumn("speed-up vs MHA").RightAligned())
            .AddColumn(new TableColumn("decode ms/token").RightAligned())
            .AddColumn(new TableColumn("speed-up vs MHA").RightAligned())
            .AddColumn(new TableColumn("cache B/token").RightAligned())
            .AddColumn(new TableColumn("smaller than MHA").RightAligned());
        foreach (var row in rows)
        {
            table.AddRow(
                row.Variant,
                row.Length.ToString(CultureInfo.InvariantCulture),
                row.ForwardMs.ToString("F2", CultureInfo.InvariantCulture),
                $"{row.ForwardSpeedup.ToString("F2", CultureInfo.InvariantCulture)}x",
                row.KernelMs?.ToString("F2", CultureInfo.InvariantCulture) ?? "-",
                row.KernelSpeedup is { } k ? $"{k.ToString("F2", CultureInfo.InvariantCulture)}x" : "-",
                row.DecodeMs?.ToString("F3", CultureInfo.InvariantCulture) ?? "-",
                row.DecodeSpeedup is { } s ? $"{s.ToString("F2", CultureInfo.InvariantCulture)}x" : "-",
                row.CacheBytesPerToken.ToString("F0", CultureInfo.InvariantCulture),
                $"{row.CacheReduction.ToString("F2", CultureInfo.InvariantCulture)}x");
        }

        return table;
    }

    // Progress<T> posts to the thread pool; the bar must move on the benchmark's own thread.
    private sealed class InlineProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
