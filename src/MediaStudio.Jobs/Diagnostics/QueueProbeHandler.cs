using System.Text;
using System.Text.Json;
using MediaStudio.Jobs.Execution;

namespace MediaStudio.Jobs.Diagnostics;

/// <summary>The <c>queue-probe</c> job kind: a given number of timed steps and a small JSON receipt, for checking that a
/// worker set-up runs, reports progress, cancels and survives restarts, and for <c>mediastudio bench jobs</c>.</summary>
public sealed class QueueProbeHandler : IJobHandler
{
    public const string KindName = "queue-probe";

    public string Kind => KindName;

    public string Queue => Queues.Default;

    public IReadOnlyList<string> Validate(string specJson)
    {
        QueueProbeSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<QueueProbeSpec>(specJson, JsonSerializerOptions.Web);
        }
        catch (JsonException e)
        {
            return [$"spec: not valid JSON ({e.Message})"];
        }

        var problems = new List<string>();
        if (spec is null)
        {
            return ["spec: is empty"];
        }

        if (spec.Steps is < 0 or > 100_000)
        {
            problems.Add($"steps: {spec.Steps} is outside 0 to 100000");
        }

        if (spec.StepMilliseconds is < 0 or > 60_000)
        {
            problems.Add($"stepMilliseconds: {spec.StepMilliseconds} is outside 0 to 60000");
        }

        return problems;
    }

    public async Task RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var spec = JsonSerializer.Deserialize<QueueProbeSpec>(execution.Job.SpecJson, JsonSerializerOptions.Web)!;
        for (var step = 1; step <= spec.Steps; step++)
        {
            await Task.Delay(spec.StepMilliseconds, cancellationToken);
            await execution.Progress.ReportAsync("probing", (double)step / spec.Steps, null, cancellationToken);
        }

        var receipt = JsonSerializer.Serialize(new { job = execution.Job.Id, spec.Steps, attempt = execution.Job.Attempts, worker = execution.Job.Worker });
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(receipt));
        await execution.PublishOutputAsync("receipt", content, "application/json", new OutputFacts(FileName: "receipt.json"), cancellationToken);
    }
}

/// <summary>The spec of a <c>queue-probe</c> job.</summary>
/// <param name="Steps">How many steps to run; 0 finishes at once.</param>
/// <param name="StepMilliseconds">How long each step sleeps.</param>
public sealed record QueueProbeSpec(int Steps, int StepMilliseconds);
