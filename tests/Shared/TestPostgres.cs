using Npgsql;

namespace MediaStudio.Tests.Shared;

/// <summary>The throwaway PostgreSQL that deploy/test.sh starts for the integration tests.</summary>
internal static class TestPostgres
{
    public const string Variable = "MEDIASTUDIO_TEST_POSTGRES";

    /// <summary>Returns the server's connection string; fails when the suite demands PostgreSQL, skips for a bare <c>dotnet test</c>.</summary>
    public static string ConnectionString()
    {
        var connection = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(connection))
        {
            return connection;
        }

        var required = Environment.GetEnvironmentVariable("MEDIASTUDIO_REQUIRE_POSTGRES") == "1"
            || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        Assert.False(required, $"{Variable} is not set; deploy/test.sh starts a throwaway PostgreSQL and sets it");
        Assert.Skip($"{Variable} is not set; run deploy/test.sh for the PostgreSQL integration tests");
        return string.Empty;
    }

    /// <summary>Creates an empty database of its own for one test and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var server = ConnectionString();
        var name = "ms_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }
}
