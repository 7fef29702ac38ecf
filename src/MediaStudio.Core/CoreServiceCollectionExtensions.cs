using MediaStudio.Core.Assets;
using MediaStudio.Core.Hosting;
using MediaStudio.Core.Jobs;
using MediaStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MediaStudio.Core;

/// <summary>Registers the studio's core: options, the data folder and the database.</summary>
public static class CoreServiceCollectionExtensions
{
    /// <summary>Adds storage options, the prepared data folder and <see cref="StudioDbContext"/> with its health check.</summary>
    /// <exception cref="StudioConfigurationException">The data folder is not writable or the database is misconfigured.</exception>
    public static IServiceCollection AddCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // options, checked now so that a bad data folder stops the process before it serves
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        storage.DataPath = DataFolder.Prepare(storage.DataPath);
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(storage));
        services.AddSingleton(TimeProvider.System);

        // persistence: one context type per engine, each with its own migrations
        switch (storage.Database)
        {
            case DatabaseProvider.Sqlite:
                var file = Path.Combine(storage.DataPath, "mediastudio.db");
                services.AddDbContext<StudioDbContext, SqliteStudioDbContext>(db => db.UseSqlite($"Data Source={file};Pooling=True"));
                break;
            case DatabaseProvider.PostgreSql when !string.IsNullOrWhiteSpace(storage.ConnectionString):
                services.AddDbContext<StudioDbContext, PostgresStudioDbContext>(db => db.UseNpgsql(storage.ConnectionString));
                break;
            default:
                throw new StudioConfigurationException(
                    $"{StorageOptions.Section}:Database is {storage.Database} but {StorageOptions.Section}:ConnectionString is empty");
        }

        services.AddSingleton<IBlobStore, FileBlobStore>();
        services.AddScoped<JobStore>();
        services.AddScoped<QueueControl>();
        services.AddHostedService<DatabaseInitializer>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return services;
    }
}
