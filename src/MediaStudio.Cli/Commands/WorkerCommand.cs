using System.CommandLine;
using MediaStudio.Jobs;
using MediaStudio.Jobs.Hosting;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio worker</c>: works on the shared queue from another process or machine.</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var queues = new Option<string?>("--queues")
        {
            Description = $"Queues to work on, separated by commas ({Queues.Render},{Queues.Train},{Queues.Default}); default: all.",
        };
        var concurrency = new Option<int?>("--concurrency")
        {
            Description = "Workers per queue (default: render 1, train 1, default 2).",
        };
        var dataPath = new Option<string?>("--data")
        {
            Description = "Data folder (blobs; the SQLite files when no PostgreSQL is configured).",
        };
        var command = new Command("worker", "Run a worker host against the configured database, queue storage and blob folder, with no web server.")
        {
            queues,
            concurrency,
            dataPath,
        };
        // anything else (--MediaStudio:Queue:Storage PostgreSql, ...) is configuration for the host
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) =>
        {
            var hostArgs = new List<string>();
            if (parse.GetValue(queues) is { Length: > 0 } selected)
            {
                hostArgs.AddRange([$"--{QueueOptions.Section}:WorkQueues", selected]);
            }

            if (parse.GetValue(concurrency) is { } n)
            {
                hostArgs.AddRange([$"--{QueueOptions.Section}:RenderWorkers", $"{n}", $"--{QueueOptions.Section}:TrainWorkers", $"{n}", $"--{QueueOptions.Section}:DefaultWorkers", $"{n}"]);
            }

            if (parse.GetValue(dataPath) is { Length: > 0 } data)
            {
                hostArgs.AddRange(["--MediaStudio:Storage:DataPath", data]);
            }

            return StudioWorker.RunAsync([.. hostArgs, .. parse.UnmatchedTokens], configure: null, cancellationToken);
        });
        return command;
    }
}
