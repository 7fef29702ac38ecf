using System.ComponentModel.DataAnnotations;

namespace MediaStudio.Core.Hosting;

/// <summary>Where the studio keeps its database and files.</summary>
public sealed class StorageOptions
{
    public const string Section = "MediaStudio:Storage";

    /// <summary>Gets or sets the folder for the database, blobs and logs.</summary>
    /// <remarks>Defaults to <c>data</c>, relative to the working directory.</remarks>
    [Required]
    public string DataPath { get; set; } = "data";

    /// <summary>Gets or sets the database that holds the studio's rows.</summary>
    /// <remarks>Defaults to <see cref="DatabaseProvider.Sqlite"/> in the data folder.</remarks>
    public DatabaseProvider Database { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Gets or sets the PostgreSQL connection string, required when <see cref="Database"/> is PostgreSql.</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>The database engines the studio can use.</summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}
