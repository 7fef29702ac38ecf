using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MediaStudio.Media.Video;

/// <summary>Reports whether ffmpeg runs, with its version line.</summary>
internal sealed class FfmpegHealthCheck(string binaryFolder) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(Path.Combine(binaryFolder, "ffmpeg"), "-hide_banner -version")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(start)!;
            var firstLine = await process.StandardOutput.ReadLineAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode == 0
                ? HealthCheckResult.Healthy(firstLine)
                : HealthCheckResult.Unhealthy($"ffmpeg exited with {process.ExitCode}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return HealthCheckResult.Unhealthy("ffmpeg could not be started", e);
        }
    }
}
