namespace MediaStudio.EndToEnd.Tests;

/// <summary>Where the app under test lives: publish output (from deploy/test.sh) and plain build output.</summary>
internal static class AppLocations
{
    public const string PublishVariable = "MEDIASTUDIO_APP_DIR";

    /// <summary>The <c>dotnet publish</c> output of MediaStudio.Web.</summary>
    public static string Published()
    {
        var folder = Environment.GetEnvironmentVariable(PublishVariable);
        Assert.False(string.IsNullOrWhiteSpace(folder), $"{PublishVariable} is not set: point it at `dotnet publish src/MediaStudio.Web -o DIR` output (deploy/test.sh does)");
        return Path.GetFullPath(folder!);
    }

    /// <summary>MediaStudio.Web's build output in the same configuration as this test assembly, as <c>dotnet run</c> uses it.</summary>
    public static string Built() => BuildOutput("MediaStudio.Web");

    /// <summary>The <c>mediastudio</c> CLI's build output in the same configuration as this test assembly.</summary>
    public static string CliBuilt() => BuildOutput("MediaStudio.Cli");

    private static string BuildOutput(string project)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        var folder = Path.Combine(RepositoryRoot(), "src", project, "bin", configuration, "net10.0");
        Assert.True(Directory.Exists(folder), $"build {project} ({configuration}) first: {folder} is missing");
        return folder;
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MediaStudio.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MediaStudio.sln not found above " + AppContext.BaseDirectory);
    }
}
