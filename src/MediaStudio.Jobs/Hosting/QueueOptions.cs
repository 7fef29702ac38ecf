using System.ComponentModel.DataAnnotations;

namespace MediaStudio.Jobs.Hosting;

/// <summary>Where the job queue lives and how this process works on it.</summary>
public sealed class QueueOptions
{
    public const string Section = "MediaStudio:Queue";

    /// <summary>Gets or sets the Hangfire storage.</summary>
    /// <remarks>Defaults to <see cref="QueueStorage.Sqlite"/>, a file in the data folder.</remarks>
    public QueueStorage Storage { get; set; } = QueueStorage.Sqlite;

    /// <summary>Gets or sets the PostgreSQL connection string, required when <see cref="Storage"/> is PostgreSql.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets a value indicating whether this process runs a Hangfire server.</summary>
    /// <remarks>Defaults to true: the embedded default is one process that serves and works.</remarks>
    public bool RunWorker { get; set; } = true;

    /// <summary>Gets or sets the queues this process works on, separated by commas.</summary>
    /// <remarks>Defaults to all of them: <c>render,train,default</c>.</remarks>
    public string WorkQueues { get; set; } = $"{Queues.Render},{Queues.Train},{Queues.Default}";

    /// <summary>Gets or sets the workers on the <c>render</c> queue.</summary>
    /// <remarks>Defaults to 1: one render at a time keeps one model in accelerator memory.</remarks>
    [Range(1, 64)]
    public int RenderWorkers { get; set; } = 1;

    /// <summary>Gets or sets the workers on the <c>train</c> queue.</summary>
    /// <remarks>Defaults to 1.</remarks>
    [Range(1, 64)]
    public int TrainWorkers { get; set; } = 1;

    /// <summary>Gets or sets the workers on the <c>default</c> queue.</summary>
    /// <remarks>Defaults to 2.</remarks>
    [Range(1, 64)]
    public int DefaultWorkers { get; set; } = 2;

    /// <summary>Gets or sets this worker's name, stable across restarts so rows it left running can be reconciled.</summary>
    /// <remarks>Defaults to <c>main</c>; give each worker process on one machine its own name.</remarks>
    public string WorkerName { get; set; } = "main";

    /// <summary>Gets or sets how often an idle worker asks the storage for new jobs.</summary>
    /// <remarks>Defaults to one second; Hangfire's own default of 15 s makes a fresh render wait visibly.</remarks>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long a fetched job stays invisible before another worker may take it.</summary>
    /// <remarks>Defaults to 30 minutes. A worker killed mid-job is detected after this long; on SQLite, which cannot slide
    /// the timeout, a job running longer is handed to a second worker: that delivery finds the job busy (its attempt
    /// still beats) and only watches it, while the first attempt runs on to the end (RunJob ignores Hangfire's abort).</remarks>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets a value indicating whether the queue starts paused when this worker finds jobs it left
    /// running, i.e. after an unclean shutdown, so a person can look before a crashing job runs again.</summary>
    /// <remarks>Defaults to false.</remarks>
    public bool StartPausedAfterCrash { get; set; }

    /// <summary>Gets or sets how often a paused queue is checked again by the jobs waiting on it.</summary>
    /// <remarks>Defaults to 5 seconds: jobs start at most this long after a resume.</remarks>
    public TimeSpan PausedRecheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how often a running attempt proves it is alive.</summary>
    /// <remarks>Defaults to 5 seconds.</remarks>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how old a heartbeat must be before its attempt counts as dead and another worker takes over.</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets libtorch's intra-op threads in this process.</summary>
    /// <remarks>Defaults to 0, meaning every core.</remarks>
    [Range(0, 256)]
    public int TorchThreads { get; set; }
}

/// <summary>The Hangfire storages the studio supports.</summary>
public enum QueueStorage
{
    Sqlite,
    PostgreSql,
}
