using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MediaStudio.Jobs;
using MediaStudio.Jobs.Execution;

namespace MediaStudio.Tests.Shared;

/// <summary>A job kind for exercising the runner: N steps of a given length, progress every step, one text output.
/// It can fail transiently a given number of times, or reject its input.</summary>
public sealed class StepsHandler : IJobHandler
{
    public const string KindName = "test-steps";

    private static readonly ConcurrentDictionary<string, int> Failures = new();

    public string Kind => KindName;

    public string Queue => Queues.Render;

    /// <summary>Gets the step at which each job id last reported, for cancellation assertions.</summary>
    public static ConcurrentDictionary<Guid, int> LastStep { get; } = new();

    public IReadOnlyList<string> Validate(string specJson)
    {
        var spec = JsonSerializer.Deserialize<StepsSpec>(specJson, JsonSerializerOptions.Web);
        return spec is null || spec.Steps is < 1 or > 1000 ? ["steps: must be between 1 and 1000"] : [];
    }

    public async Task RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        var spec = JsonSerializer.Deserialize<StepsSpec>(execution.Job.SpecJson, JsonSerializerOptions.Web)!;
        if (spec.BadInput)
        {
            throw new JobInputException("prompt: contains nothing to draw");
        }

        if (spec.FailTimes > 0 && Failures.AddOrUpdate(spec.Key, 1, (_, n) => n + 1) <= spec.FailTimes)
        {
            throw new IOException("transient: the disk hiccuped");
        }

        for (var step = 1; step <= spec.Steps; step++)
        {
            await Task.Delay(spec.StepMilliseconds, cancellationToken);
            LastStep[execution.Job.Id] = step;
            await execution.Progress.ReportAsync("stepping", (double)step / spec.Steps, null, cancellationToken);
        }

        using var output = new MemoryStream(Encoding.UTF8.GetBytes($"done {spec.Key} in {spec.Steps} steps"));
        await execution.PublishOutputAsync("result", output, "text/plain", new OutputFacts(FileName: "result.txt"), cancellationToken);
    }
}

/// <summary>The spec of <see cref="StepsHandler"/>.</summary>
public sealed record StepsSpec(string Key, int Steps, int StepMilliseconds, int FailTimes = 0, bool BadInput = false);
