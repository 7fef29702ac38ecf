using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MediaStudio.EndToEnd.Tests;

/// <summary>A real MediaStudio process started from build or publish output, with its own port and data folder.</summary>
public sealed class StudioProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private StudioProcess(Process process, Uri baseAddress, string dataPath)
    {
        _process = process;
        BaseAddress = baseAddress;
        DataPath = dataPath;
        process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    public string DataPath { get; }

    public string StandardOutput { get { lock (_stdout) { return _stdout.ToString(); } } }

    public string StandardError { get { lock (_stderr) { return _stderr.ToString(); } } }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the app in <paramref name="appDirectory"/>; extra arguments and environment override the defaults.</summary>
    public static StudioProcess Start(string appDirectory, IEnumerable<string>? arguments = null, IDictionary<string, string>? environment = null, int? port = null)
    {
        var data = Directory.CreateTempSubdirectory("mediastudio-e2e-").FullName;
        var address = new Uri($"http://127.0.0.1:{port ?? FreePort()}");
        string[] defaults = ["--urls", address.ToString().TrimEnd('/'), "--MediaStudio:Storage:DataPath", data];
        var process = Launch(Path.Combine(appDirectory, "MediaStudio.Web.dll"), defaults.Concat(arguments ?? []), environment, data);
        return new StudioProcess(process, address, data);
    }

    /// <summary>Starts <c>mediastudio</c> (the CLI build output) with the given arguments, e.g. a worker.</summary>
    public static StudioProcess StartCli(IEnumerable<string> arguments)
    {
        var data = Directory.CreateTempSubdirectory("mediastudio-cli-").FullName;
        var process = Launch(Path.Combine(AppLocations.CliBuilt(), "mediastudio.dll"), arguments, environment: null, data);
        return new StudioProcess(process, new Uri("http://127.0.0.1:1"), data);
    }

    /// <summary>Kills the process with SIGKILL: no shutdown code runs, as when the machine loses power or the OOM killer strikes.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>Polls <c>/health</c> until it answers 200, the process exits, or <paramref name="timeout"/> passes.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            Assert.False(_process.HasExited, $"the app exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{StandardError}\n{StandardOutput}");
            try
            {
                using var response = await http.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(250, cancellationToken);
        }

        Assert.Fail($"/health did not answer 200 within {timeout}:\n{StandardOutput}\n{StandardError}");
    }

    /// <summary>Waits for the process to exit on its own.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        await _process.WaitForExitAsync(limit.Token);
        _process.WaitForExit(); // flushes the redirected streams
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as a service manager or container runtime does.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(DataPath, recursive: true);
    }

    private static Process Launch(string dll, IEnumerable<string> arguments, IDictionary<string, string>? environment, string workingDirectory)
    {
        Assert.True(File.Exists(dll), $"no app at {dll}");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return Process.Start(start)!;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (target)
        {
            target.AppendLine(line);
        }
    }
}
