using System.Globalization;
using MediaStudio.Diffusion.Video.Pipelines;
using MediaStudio.Jobs.Execution;

namespace MediaStudio.Jobs.VideoEditing;

/// <summary>
/// Bridges the editor's worker thread and the job's async progress loop: the pipeline reports chunk and step, the loop
/// writes "chunk 2 of 5, step 7 of 20" and the overall fraction to the job row. Tensor code never awaits.
/// </summary>
public sealed class EditProgress : IProgress<VideoEditProgress>
{
    private VideoEditProgress? _last;

    /// <summary>Records the pipeline's position; runs on the editor's thread.</summary>
    public void Report(VideoEditProgress value) => Volatile.Write(ref _last, value);

    /// <summary>The fraction of the edit done at <paramref name="p"/>.</summary>
    public static double Fraction(VideoEditProgress p) =>
        p.ChunkCount <= 0 ? 0 : Math.Clamp((p.Chunk + (p.StepCount <= 0 ? 0 : (double)p.Step / p.StepCount)) / p.ChunkCount, 0, 1);

    /// <summary>The stage shown for <paramref name="p"/> (chunks and steps counted from 1).</summary>
    public static string Stage(VideoEditProgress p) => p.StepCount > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{p.Stage}: chunk {Math.Min(p.Chunk + 1, p.ChunkCount)} of {p.ChunkCount}, step {Math.Min(p.Step + 1, p.StepCount)} of {p.StepCount}")
        : string.Create(CultureInfo.InvariantCulture, $"{p.Stage}: chunk {Math.Min(p.Chunk + 1, p.ChunkCount)} of {p.ChunkCount}");

    /// <summary>Runs <paramref name="work"/> on a worker thread and reports its progress until it ends.</summary>
    public async Task<T> RunAsync<T>(JobExecution execution, Func<T> work, double start, double span, TimeProvider clock, CancellationToken cancellationToken)
    {
        var task = Task.Run(work, cancellationToken);
        while (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(250), clock, CancellationToken.None));
            if (task.IsCompleted)
            {
                break;
            }

            var last = Volatile.Read(ref _last);
            await execution.Progress.ReportAsync(last is null ? "editing" : Stage(last), start + (span * (last is null ? 0 : Fraction(last))), null, cancellationToken);
        }

        return await task;
    }
}
