using System.Globalization;

namespace MediaStudio.Cli.Commands;

/// <summary>
/// What a model card needs to know about a resumable training run: every command line that worked on the checkpoint
/// (in <c>&lt;checkpoint&gt;.runs</c>) and the wall-clock seconds summed over them (in <c>&lt;checkpoint&gt;.seconds</c>).
/// </summary>
internal sealed class TrainingRunLog
{
    private readonly string _secondsFile;
    private readonly double _previousSeconds;

    private TrainingRunLog(string secondsFile, double previousSeconds, IReadOnlyList<string> commands)
    {
        _secondsFile = secondsFile;
        _previousSeconds = previousSeconds;
        Commands = commands;
    }

    /// <summary>Gets the training seconds of the runs before this one.</summary>
    public double PreviousSeconds => _previousSeconds;

    /// <summary>Gets the command lines of this run and the ones before it, oldest first.</summary>
    public IReadOnlyList<string> Commands { get; }

    /// <summary>Records <paramref name="commandLine"/> as the next run on <paramref name="checkpoint"/>.</summary>
    public static TrainingRunLog Open(string checkpoint, string commandLine)
    {
        var runsFile = checkpoint + ".runs";
        var secondsFile = checkpoint + ".seconds";
        File.AppendAllText(runsFile, commandLine + "\n");
        var previous = File.Exists(secondsFile) ? double.Parse(File.ReadAllText(secondsFile), CultureInfo.InvariantCulture) : 0;
        return new TrainingRunLog(secondsFile, previous, File.ReadAllLines(runsFile));
    }

    /// <summary>Saves the total training time given this run's elapsed seconds.</summary>
    /// <returns>The total seconds over all runs.</returns>
    public double SaveSeconds(double elapsedThisRun)
    {
        var total = _previousSeconds + elapsedThisRun;
        File.WriteAllText(_secondsFile, total.ToString("R", CultureInfo.InvariantCulture));
        return total;
    }
}
