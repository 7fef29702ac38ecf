using System.CommandLine;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio train</c>: training recipes; each model is a subcommand.</summary>
internal static class TrainCommand
{
    public static Command Create() => new("train", "Train the studio's own models on the procedural world.")
    {
        TrainRecognizerCommand.Create(),
        TrainMotionRecognizerCommand.Create(),
        TrainAutoencoderCommand.Create(),
        TrainClipCommand.Create(),
        TrainUNetCommand.Create(),
        TrainNegativeEmbeddingCommand.Create(),
        TrainRewardCommand.Create(),
        TrainTokenizerCommand.Create(),
        TrainCaptionerCommand.Create(),
        TrainVideoEditorCommand.Create(),
        TrainMotionCommand.CreateMotion(),
        TrainMotionCommand.CreateMotionReference(),
    };
}
