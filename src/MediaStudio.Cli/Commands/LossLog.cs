using System.Globalization;
using MediaStudio.Neural.Training;

namespace MediaStudio.Cli.Commands;

/// <summary>Appends (step, loss) reports to a file next to the checkpoint, so a resumed run's card still sees the whole curve.</summary>
internal sealed class LossLog(string path)
{
    /// <summary>Records one report.</summary>
    public void Add(TrainingProgress progress)
    {
        if (double.IsFinite(progress.Loss))
        {
            File.AppendAllText(path, string.Create(CultureInfo.InvariantCulture, $"{progress.Step} {progress.Loss:G6}\n"));
        }
    }

    /// <summary>Mean loss of the first and the last 20 reports, as text.</summary>
    public string Summary()
    {
        if (!File.Exists(path))
        {
            return "none recorded";
        }

        var values = File.ReadAllLines(path).Select(l => l.Split(' ')).Where(p => p.Length == 2)
            .Select(p => (Step: long.Parse(p[0], CultureInfo.InvariantCulture), Loss: double.Parse(p[1], CultureInfo.InvariantCulture))).ToList();
        if (values.Count == 0)
        {
            return "none recorded";
        }

        var first = values.Take(20).ToList();
        var last = values.TakeLast(20).ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"mean {first.Average(v => v.Loss):F4} over steps {first[0].Step}-{first[^1].Step}, mean {last.Average(v => v.Loss):F4} over steps {last[0].Step}-{last[^1].Step}");
    }
}
