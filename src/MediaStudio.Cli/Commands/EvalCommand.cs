using System.CommandLine;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio eval</c>: measured quality of the shipped models; each model is a subcommand.</summary>
internal static class EvalCommand
{
    public static Command Create() => new("eval", "Measure the shipped models on fresh held-out data.")
    {
        EvalRecognizerCommand.Create(),
        EvalRecognizerCommand.CreateMotion(),
        EvalAutoencoderCommand.Create(),
        EvalClipCommand.Create(),
        EvalT2iCommand.Create(),
        EvalPromptWordsCommand.Create(),
        EvalNegativesCommand.Create(),
        EvalRewardCommand.Create(),
        EvalCaptionerCommand.Create(),
        EvalVideoEditCommand.Create(),
        EvalFlowCommand.Create(),
    };
}
