using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using MediaStudio.Core.Hosting;
using MediaStudio.Jobs.Captions;
using MediaStudio.Jobs.Diagnostics;
using MediaStudio.Jobs.Execution;
using MediaStudio.Jobs.Generation;
using MediaStudio.Jobs.Hosting;
using MediaStudio.Jobs.Models;
using MediaStudio.Jobs.VideoEditing;
using MediaStudio.Neural.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MediaStudio.Jobs;

/// <summary>Registers the job queue: Hangfire storage, the in-process server and their health checks.</summary>
public static class JobsServiceCollectionExtensions
{
    /// <summary>Adds Hangfire on SQLite (default) or PostgreSQL, and the workers when <see cref="QueueOptions.RunWorker"/> is set.</summary>
    /// <remarks>Call after <c>AddCore</c>, whose prepared data folder holds the SQLite queue file.</remarks>
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var queue = configuration.GetSection(QueueOptions.Section).Get<QueueOptions>() ?? new QueueOptions();
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        services.AddSingleton(Options.Create(queue));
        var wakeup = new QueueWakeup();
        services.AddSingleton(_ => wakeup); // a factory, so the container disposes it

        // libtorch threads are set once per process, before any model loads
        TorchRuntime.SetThreads(queue.TorchThreads);

        // storage, chosen now so that a misconfiguration stops the process before it serves
        Action<IGlobalConfiguration> useStorage = queue.Storage switch
        {
            QueueStorage.Sqlite => hangfire => UseSqlite(hangfire, Path.Combine(Path.GetFullPath(storage.DataPath), "hangfire.db"), queue, wakeup),
            QueueStorage.PostgreSql when !string.IsNullOrWhiteSpace(queue.ConnectionString) => hangfire => hangfire.UsePostgreSqlStorage(
                pg => pg.UseNpgsqlConnection(queue.ConnectionString),
                new PostgreSqlStorageOptions
                {
                    QueuePollInterval = queue.PollInterval,
                    InvisibilityTimeout = queue.InvisibilityTimeout,
                    UseSlidingInvisibilityTimeout = true,
                    // LISTEN/NOTIFY wakes an idle worker at once instead of at the next poll
                    EnableLongPolling = true,
                    PrepareSchemaIfNecessary = true,
                }),
            _ => throw new StudioConfigurationException(
                $"{QueueOptions.Section}:Storage is {queue.Storage} but {QueueOptions.Section}:ConnectionString is empty"),
        };
        services.AddHangfire(hangfire =>
        {
            hangfire
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            useStorage(hangfire);
        });

        // models: loaded once per process, shared by jobs, evicted least-recently-used over the budget
        services.AddOptions<ModelRegistryOptions>().BindConfiguration(ModelRegistryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ModelRegistry>();

        // execution: the runner, its handlers and the submission service
        var worker = new WorkerIdentity($"{Environment.MachineName}/{queue.WorkerName}");
        services.AddSingleton(worker);
        services.AddScoped<JobService>();
        services.AddTransient<RunJob>();
        services.AddSingleton<IJobHandler, QueueProbeHandler>();
        services.AddSingleton<IJobHandler, TextToImageHandler>();
        services.AddSingleton<IJobHandler, BatchRenderHandler>();
        services.AddSingleton<IJobHandler, TrainNegativeEmbeddingHandler>();
        services.AddSingleton<IJobHandler, CaptionHandler>();
        services.AddSingleton<IJobHandler, VideoEditHandler>();

        // captions: render outputs are queued for the captioner when it is installed (MediaStudio:Captions:AutoCaption)
        services.AddOptions<CaptionOptions>().BindConfiguration(CaptionOptions.Section);
        services.AddSingleton<AutoCaption>();

        // workers: one Hangfire server per queue so each has its own worker count (STYLE.md E5)
        if (queue.RunWorker)
        {
            services.AddHostedService<StartupReconciliation>();
            var counts = new Dictionary<string, int>(StringComparer.Ordinal)
            {
                [Queues.Render] = queue.RenderWorkers,
                [Queues.Train] = queue.TrainWorkers,
                [Queues.Default] = queue.DefaultWorkers,
            };
            var selected = queue.WorkQueues.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
            var unknown = selected.Where(q => !counts.ContainsKey(q)).ToList();
            if (unknown.Count > 0)
            {
                throw new StudioConfigurationException(
                    $"unknown queue(s) {string.Join(", ", unknown)} in {QueueOptions.Section}:WorkQueues; the queues are {string.Join(", ", counts.Keys)}");
            }

            foreach (var name in selected)
            {
                var count = counts[name];
                services.AddHangfireServer(server =>
                {
                    server.ServerName = $"{worker.Name}:{name}";
                    server.Queues = [name];
                    server.WorkerCount = count;
                    server.ShutdownTimeout = TimeSpan.FromSeconds(20);
                });
            }
        }

        services.AddHealthChecks()
            .AddCheck<QueueStorageHealthCheck>("queue")
            .AddCheck<TorchHealthCheck>("torch");
        return services;
    }

    private static void UseSqlite(IGlobalConfiguration hangfire, string path, QueueOptions queue, QueueWakeup wakeup)
    {
        var options = new SQLiteStorageOptions { QueuePollInterval = queue.PollInterval, InvisibilityTimeout = queue.InvisibilityTimeout };
        var sqlite = hangfire.UseSQLiteStorage(path, options).Entry;

        // submissions in this process wake the idle workers at once; the poll interval only bounds what others queue
        sqlite.QueueProviders.Add(new WakingSqliteQueueProvider(options, wakeup), [.. Queues.All]);
    }
}
