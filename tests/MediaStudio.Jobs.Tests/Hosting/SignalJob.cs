using System.Collections.Concurrent;
using Hangfire;

namespace MediaStudio.Jobs.Tests.Hosting;

/// <summary>A job that completes a waiter, proving a worker picked it up from the storage.</summary>
public static class SignalJob
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource<string>> Waiters = new();

    public static Task<string> WaitAsync(string key) =>
        Waiters.GetOrAdd(key, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    [Queue(Queues.Default)]
    [AutomaticRetry(Attempts = 0)]
    public static Task RunAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiters.GetOrAdd(key, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously))
            .TrySetResult(Environment.CurrentManagedThreadId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Task.CompletedTask;
    }
}
