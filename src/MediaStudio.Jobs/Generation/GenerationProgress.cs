using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Jobs.Execution;
using MediaStudio.Media.Images;

namespace MediaStudio.Jobs.Generation;

/// <summary>
/// Bridges the sampler thread and the job's async progress loop: the sampler records each step (and decodes a preview
/// when asked), the loop reports stage, fraction and preview to the job row. Tensor code never awaits.
/// </summary>
internal sealed class GenerationProgress
{
    private static readonly TimeSpan PreviewEvery = TimeSpan.FromSeconds(2);
    private volatile string _stage = "denoising";
    private volatile bool _wantPreview;
    private double _fraction;
    private RgbImage? _preview;

    /// <summary>Gets or sets the stage shown to the person.</summary>
    public string Stage
    {
        get => _stage;
        set => _stage = value;
    }

    /// <summary>Records a sampler step of item <paramref name="item"/> of <paramref name="items"/>; decodes a preview if one is due.</summary>
    /// <remarks>Runs on the sampler thread: the step's estimate tensor lives only during this call.</remarks>
    public void OnStep(GenerationStep step, int item, int items)
    {
        Volatile.Write(ref _fraction, (item + step.Fraction) / Math.Max(1, items));
        if (_wantPreview)
        {
            _wantPreview = false;
            Interlocked.Exchange(ref _preview, step.Preview());
        }
    }

    /// <summary>Records progress of work that has no sampler steps (training), with a stage text.</summary>
    public void SetFraction(double fraction, string stage)
    {
        Volatile.Write(ref _fraction, Math.Clamp(fraction, 0, 1));
        Stage = stage;
    }

    /// <summary>Runs <paramref name="work"/> on a worker thread and reports its progress until it ends.</summary>
    /// <param name="execution">The job attempt.</param>
    /// <param name="work">The tensor work; it calls <see cref="OnStep"/>.</param>
    /// <param name="span">Share of the job's progress bar this work fills, from <paramref name="start"/>.</param>
    /// <param name="start">Progress before the work.</param>
    /// <param name="clock">Clock for preview pacing.</param>
    /// <param name="cancellationToken">The attempt's token (the work must observe it too).</param>
    /// <returns>What the work returned.</returns>
    public async Task<T> RunAsync<T>(JobExecution execution, Func<T> work, double start, double span, TimeProvider clock, CancellationToken cancellationToken)
    {
        var task = Task.Run(work, cancellationToken);
        var lastPreview = clock.GetTimestamp();
        while (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(250), clock, CancellationToken.None));
            if (task.IsCompleted)
            {
                break;
            }

            Guid? previewId = null;
            if (Interlocked.Exchange(ref _preview, null) is { } image)
            {
                using var png = new MemoryStream();
                new SafeImageCodec().EncodePng(image, png);
                png.Position = 0;
                previewId = (await execution.PublishOutputAsync("preview", png, "image/png", new OutputFacts("preview.png", image.Width, image.Height), cancellationToken)).Id;
            }

            if (clock.GetElapsedTime(lastPreview) >= PreviewEvery)
            {
                lastPreview = clock.GetTimestamp();
                _wantPreview = true;
            }

            await execution.Progress.ReportAsync(Stage, start + (span * Volatile.Read(ref _fraction)), previewId, cancellationToken);
        }

        return await task;
    }
}
