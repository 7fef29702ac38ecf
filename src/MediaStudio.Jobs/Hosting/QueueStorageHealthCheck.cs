using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MediaStudio.Jobs.Hosting;

/// <summary>Reports whether the Hangfire storage answers, with its servers and queue depths.</summary>
internal sealed class QueueStorageHealthCheck(JobStorage storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var monitoring = storage.GetMonitoringApi();
            var stats = monitoring.GetStatistics();
            var servers = monitoring.Servers().Count;
            return Task.FromResult(HealthCheckResult.Healthy(
                $"{storage.GetType().Name}: {servers} server(s), {stats.Enqueued} enqueued, {stats.Processing} processing, {stats.Failed} failed"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("the job storage did not answer", e));
        }
    }
}
