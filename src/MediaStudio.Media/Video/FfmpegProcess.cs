using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MediaStudio.Media.Images;

namespace MediaStudio.Media.Video;

/// <summary>
/// Runs one ffmpeg or ffprobe child process with an argument list (no shell, no quoting), a wall-clock timeout and a
/// kill of the whole process tree on cancellation, timeout or host shutdown.
/// </summary>
/// <remarks>
/// Every started process is tracked until it has exited; <see cref="AppDomain.ProcessExit"/> kills whatever is still
/// running, so a stopping host leaves no ffmpeg behind. A hard kill of the host (SIGKILL) cannot run handlers; the
/// deployment's process supervisor (cgroup, container) is the backstop for that case.
/// </remarks>
internal static class FfmpegProcess
{
    private const int StderrTailChars = 4000;

    private static readonly ConcurrentDictionary<int, Process> Live = new();

    private static readonly CancellationTokenSource StoppingSource = new();

    static FfmpegProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    /// <summary>Gets a token cancelled when the host process exits, for ffmpeg runs started through FFMpegCore (which
    /// kills them when it is cancelled).</summary>
    public static CancellationToken Stopping => StoppingSource.Token;

    /// <summary>Gets the number of child processes started here that have not exited yet.</summary>
    public static int LiveCount => Live.Count;

    /// <summary>Runs the binary to completion and returns its exit code, stdout bytes and the tail of stderr.</summary>
    /// <param name="binary">Full path of ffmpeg or ffprobe.</param>
    /// <param name="arguments">Arguments, one per element.</param>
    /// <param name="writeInput">Writes stdin (then it is closed), or null for no stdin.</param>
    /// <param name="maxOutputBytes">Stdout beyond this many bytes kills the process and fails the call.</param>
    /// <param name="timeout">Wall-clock limit of the whole call.</param>
    /// <param name="cancellationToken">Cancels the call; the process tree is killed before this returns.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="MediaFormatException">The call ran past <paramref name="timeout"/> or wrote too much.</exception>
    public static async Task<FfmpegResult> RunAsync(
        string binary,
        IReadOnlyList<string> arguments,
        Func<Stream, CancellationToken, Task>? writeInput,
        long maxOutputBytes,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardInput = writeInput is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var token = limit.Token;
        var name = Path.GetFileName(binary);

        if (!process.Start())
        {
            throw new MediaFormatException($"{name} could not be started");
        }

        Live[process.Id] = process;
        var overflow = false;
        try
        {
            using var output = new MemoryStream();
            var stderr = new StringBuilder();
            var readOutput = CopyBoundedAsync(process.StandardOutput.BaseStream, output, maxOutputBytes, () =>
            {
                overflow = true;
                Kill(process);
            }, token);
            var readError = ReadTailAsync(process.StandardError, stderr, token);
            var writeTask = writeInput is null ? Task.CompletedTask : WriteInputAsync(process, writeInput, token);

            try
            {
                await Task.WhenAll(readOutput, readError, writeTask).ConfigureAwait(false);
                await process.WaitForExitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                await WaitForExitQuietlyAsync(process).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                throw TimedOut(name, timeout);
            }
            catch (IOException)
            {
                // stdin closed early: ffmpeg refused the input or was killed; the exit code and stderr say why
                await process.WaitForExitAsync(token).ConfigureAwait(false);
            }

            if (overflow)
            {
                throw Overflowed(name, maxOutputBytes);
            }

            return new FfmpegResult(process.ExitCode, output.ToArray(), stderr.ToString());
        }
        finally
        {
            Kill(process);
            await WaitForExitQuietlyAsync(process).ConfigureAwait(false);
            Live.TryRemove(process.Id, out _);
        }
    }

    /// <summary>The error for a run stopped at its wall-clock limit.</summary>
    public static MediaFormatException TimedOut(string name, TimeSpan timeout) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{name} ran past its {timeout.TotalSeconds:0.#} s time limit and was stopped"));

    /// <summary>The error for a run that wrote more than it may.</summary>
    public static MediaFormatException Overflowed(string name, long maxBytes) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{name} produced more than {maxBytes} bytes and was stopped"));

    /// <summary>The last non-empty stderr line, which is where ffmpeg puts the reason it failed; "no message" if none.</summary>
    public static string LastLine(IEnumerable<string>? lines) =>
        lines?.Select(line => line.Trim()).LastOrDefault(line => line.Length > 0) ?? "no message";

    private static async Task WriteInputAsync(Process process, Func<Stream, CancellationToken, Task> writeInput, CancellationToken token)
    {
        var stdin = process.StandardInput.BaseStream;
        try
        {
            await writeInput(stdin, token).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // the pipe is already broken because ffmpeg exited; the exit code tells the caller
            }
        }
    }

    private static async Task CopyBoundedAsync(Stream source, MemoryStream target, long max, Action onOverflow, CancellationToken token)
    {
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await source.ReadAsync(buffer, token).ConfigureAwait(false)) > 0)
        {
            if (target.Length + read > max)
            {
                onOverflow();
                return;
            }

            target.Write(buffer, 0, read);
        }
    }

    private static async Task ReadTailAsync(StreamReader reader, StringBuilder tail, CancellationToken token)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer, token).ConfigureAwait(false)) > 0)
        {
            tail.Append(buffer, 0, read);
            if (tail.Length > 2 * StderrTailChars)
            {
                tail.Remove(0, tail.Length - StderrTailChars);
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // exited between the check and the kill
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // exited between the check and the kill
        }
    }

    private static async Task WaitForExitQuietlyAsync(Process process)
    {
        try
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // a process that ignores SIGKILL for 10 s is beyond our reach; it stays tracked until ProcessExit
        }
        catch (InvalidOperationException)
        {
            // never started
        }
    }

    private static void KillAll()
    {
        StoppingSource.Cancel();
        foreach (var process in Live.Values)
        {
            Kill(process);
        }
    }
}

/// <summary>What one finished ffmpeg or ffprobe run gave back.</summary>
internal sealed record FfmpegResult(int ExitCode, byte[] Output, string ErrorTail)
{
    /// <summary>Gets the last non-empty stderr line, which is where ffmpeg puts the reason it failed.</summary>
    public string LastErrorLine => FfmpegProcess.LastLine(ErrorTail.Split('\n'));
}
