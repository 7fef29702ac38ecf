using MediaStudio.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MediaStudio.Jobs.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaStudio.Jobs.Execution;

/// <summary>At start-up, marks the rows this worker left running when it died as interrupted, before it takes new work.</summary>
internal sealed partial class StartupReconciliation(
    IServiceScopeFactory scopes,
    WorkerIdentity worker,
    IOptions<QueueOptions> queue,
    ILogger<StartupReconciliation> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var count = await scope.ServiceProvider.GetRequiredService<JobStore>().ReconcileInterruptedAsync(worker.Name, cancellationToken);
        if (count > 0)
        {
            LogReconciled(count, worker.Name);
            if (queue.Value.StartPausedAfterCrash)
            {
                await scope.ServiceProvider.GetRequiredService<QueueControl>()
                    .PauseAsync($"paused after an unclean shutdown of {worker.Name} left {count} job(s) running", cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marked {Count} job(s) left running by an unclean stop of {Worker} as interrupted")]
    private partial void LogReconciled(int count, string worker);
}
