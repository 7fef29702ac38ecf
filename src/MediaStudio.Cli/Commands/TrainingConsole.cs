using System.Globalization;
using MediaStudio.Neural.Training;

namespace MediaStudio.Cli.Commands;

/// <summary>
/// The progress bar every <c>train</c> command shows: one line redrawn in place on a terminal, one line per report when
/// the output is redirected (a log file or a job's captured output).
/// </summary>
internal sealed class TrainingConsole : IProgress<TrainingProgress>
{
    private const int BarWidth = 30;
    private readonly string _name;
    private readonly long _logEvery;
    private readonly bool _interactive = !Console.IsOutputRedirected;

    /// <summary>Creates the bar.</summary>
    /// <param name="name">Model name shown before the bar.</param>
    /// <param name="logEvery">When redirected, print every this many steps (and the last).</param>
    public TrainingConsole(string name, long logEvery = 50)
    {
        _name = name;
        _logEvery = Math.Max(1, logEvery);
    }

    /// <summary>Gets or sets extra text appended to the line, for example a validation metric.</summary>
    public string Extra { get; set; } = "";

    /// <summary>Formats a bar such as <c>[#######.......]  42%</c>.</summary>
    /// <param name="fraction">Completed fraction in [0, 1].</param>
    /// <returns>The bar text.</returns>
    public static string Bar(double fraction)
    {
        var clamped = Math.Clamp(fraction, 0, 1);
        var filled = (int)Math.Round(clamped * BarWidth);
        return string.Create(CultureInfo.InvariantCulture, $"[{new string('#', filled)}{new string('.', BarWidth - filled)}] {clamped * 100,3:F0}%");
    }

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var last = value.Step >= value.TotalSteps;
        var line = $"{_name} {Bar(value.Fraction)} {value.Describe()}{(Extra.Length > 0 ? " " + Extra : "")}";
        if (_interactive)
        {
            Console.Write("\r" + line.PadRight(Math.Min(Console.BufferWidth > 0 ? Console.BufferWidth - 1 : 160, 200)));
            if (last)
            {
                Console.WriteLine();
            }
        }
        else if (value.Step % _logEvery == 0 || last)
        {
            Console.WriteLine(line);
        }
    }
}
