using Spectre.Console;

namespace MediaStudio.Cli.Commands;

/// <summary>The progress bar of an <c>eval</c> command: on stdout for people, on stderr when stdout carries JSON.</summary>
internal static class EvalProgress
{
    /// <summary>Creates the bar with the columns every eval shows.</summary>
    /// <param name="json">Whether stdout is reserved for the JSON result.</param>
    public static Progress Create(bool json)
    {
        var console = json ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }) : AnsiConsole.Console;
        return console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn());
    }
}
