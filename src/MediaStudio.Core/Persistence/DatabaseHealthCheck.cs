using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MediaStudio.Core.Persistence;

/// <summary>Reports whether the studio's database answers, which engine it is, and whether its schema is current.</summary>
internal sealed class DatabaseHealthCheck(StudioDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return HealthCheckResult.Unhealthy("the database does not accept connections");
            }

            var engine = db.Database.IsSqlite() ? "SQLite" : "PostgreSQL";
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            return pending == 0
                ? HealthCheckResult.Healthy($"{engine}, schema current")
                : HealthCheckResult.Degraded($"{engine}, {pending} migration(s) not applied yet");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("the database did not answer", e);
        }
    }
}
