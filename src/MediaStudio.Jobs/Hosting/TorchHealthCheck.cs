using MediaStudio.Neural.Runtime;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MediaStudio.Jobs.Hosting;

/// <summary>Reports whether libtorch loads and computes.</summary>
internal sealed class TorchHealthCheck : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return Task.FromResult(HealthCheckResult.Healthy(TorchRuntime.Probe()));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException or NotSupportedException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("libtorch failed to load or compute", e));
        }
    }
}
