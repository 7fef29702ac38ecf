using MediaStudio.Core.Persistence;
using MediaStudio.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MediaStudio.Core.Tests.Persistence;

/// <summary>A migrated studio database on SQLite (in a temp folder) or on the test PostgreSQL (a database of its own).</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string Sqlite = "Sqlite";
    public const string PostgreSql = "PostgreSql";

    private readonly ServiceProvider _services;

    private TestDatabase(ServiceProvider services, string dataPath)
    {
        _services = services;
        DataPath = dataPath;
    }

    public string DataPath { get; }

    public IServiceProvider Services => _services;

    public static async Task<TestDatabase> CreateAsync(string provider, CancellationToken cancellationToken, TimeProvider? clock = null)
    {
        var data = Directory.CreateTempSubdirectory("mediastudio-db-").FullName;
        var settings = new Dictionary<string, string?> { ["MediaStudio:Storage:DataPath"] = data, ["MediaStudio:Storage:Database"] = provider };
        if (provider == PostgreSql)
        {
            settings["MediaStudio:Storage:ConnectionString"] = await TestPostgres.CreateDatabaseAsync(cancellationToken);
        }

        var collection = new ServiceCollection().AddCore(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        if (clock is not null)
        {
            collection.AddSingleton(clock);
        }

        var services = collection.BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StudioDbContext>().Database.MigrateAsync(cancellationToken);
        }

        return new TestDatabase(services, data);
    }

    /// <summary>Runs <paramref name="action"/> in a fresh DI scope, as one request or one job attempt would.</summary>
    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = _services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(DataPath, recursive: true);
    }
}
