using System.Net;
using System.Net.Sockets;

namespace MediaStudio.EndToEnd.Tests;

public sealed class LifecycleTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sigterm_RunningStudio_ShutsDownGracefullyWithExitCodeZero()
    {
        await using var studio = StudioProcess.Start(AppLocations.Published());
        await studio.WaitHealthyAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        studio.Terminate();
        var exitCode = await studio.WaitForExitAsync(ExitTimeout, TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        Assert.Contains("Application is shutting down", studio.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("has been stopped", studio.StandardOutput, StringComparison.Ordinal); // Hangfire servers stopped cleanly
    }

    [Fact]
    public async Task Start_DataFolderUnderAFile_ExitsWithOneLineError()
    {
        var file = Path.GetTempFileName();
        try
        {
            await using var studio = StudioProcess.Start(AppLocations.Published(), ["--MediaStudio:Storage:DataPath", Path.Combine(file, "data")]);

            var error = await ExpectOneLineFailureAsync(studio);

            Assert.Contains("data folder", error, StringComparison.Ordinal);
            Assert.Contains("is not writable", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Start_PortInUse_ExitsWithOneLineError()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        await using var studio = StudioProcess.Start(AppLocations.Published(), port: port);
        var error = await ExpectOneLineFailureAsync(studio);

        Assert.Contains($"port {port} is already in use", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_FfmpegMissing_ExitsWithOneLineErrorSayingWhatToInstall()
    {
        var emptyPath = Directory.CreateTempSubdirectory("mediastudio-nopath-").FullName;
        try
        {
            await using var studio = StudioProcess.Start(AppLocations.Published(), environment: new Dictionary<string, string> { ["PATH"] = emptyPath });

            var error = await ExpectOneLineFailureAsync(studio);

            Assert.Contains("ffmpeg and ffprobe were not found on PATH", error, StringComparison.Ordinal);
            Assert.Contains("apt-get install ffmpeg", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(emptyPath);
        }
    }

    private static async Task<string> ExpectOneLineFailureAsync(StudioProcess studio)
    {
        var exitCode = await studio.WaitForExitAsync(ExitTimeout, TestContext.Current.CancellationToken);
        var lines = studio.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(lines);
        Assert.StartsWith("mediastudio: error: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", studio.StandardOutput, StringComparison.Ordinal); // no stack trace anywhere
        return line;
    }
}
