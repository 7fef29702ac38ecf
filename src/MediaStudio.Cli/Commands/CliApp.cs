using System.CommandLine;

namespace MediaStudio.Cli.Commands;

/// <summary>The <c>mediastudio</c> command tree.</summary>
public static class CliApp
{
    public static RootCommand Build() => new("MediaStudio: a self-hosted generative media studio.")
    {
        ServeCommand.Create(),
        WorkerCommand.Create(),
        DatasetCommand.Create(),
        GenerateCommand.Create(),
        EditVideoCommand.Create(),
        TrainCommand.Create(),
        EvalCommand.Create(),
        BenchCommand.Create(),
        CaptionCommand.Create(),
    };
}
