using System.CommandLine;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio bench</c>: performance measurements; each benchmark is a subcommand.</summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Measure performance; every figure is a ratio to a baseline measured in the same run.")
    {
        AttentionBenchCommand.Create(),
        JobsBenchCommand.Create(),
        T2iBenchCommand.Create(),
        DecodeBenchCommand.Create(),
    };
}
