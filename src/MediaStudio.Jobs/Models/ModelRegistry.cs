using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaStudio.Jobs.Models;

/// <summary>Loads each model once per process and shares it between jobs; evicts least-recently-used models that
/// no job is using once their weights exceed the memory budget.</summary>
/// <remarks>Thread-safe. Concurrent requests for one key wait for a single load. A failed load is not cached.</remarks>
public sealed partial class ModelRegistry(IOptions<ModelRegistryOptions> options, TimeProvider clock, ILogger<ModelRegistry> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Gets the loaded models, most recently used first.</summary>
    public IReadOnlyList<LoadedModelInfo> Loaded
    {
        get
        {
            lock (_gate)
            {
                return _entries.Values.Where(e => e.Model is not null).OrderByDescending(e => e.LastUsed)
                    .Select(e => new LoadedModelInfo(e.Key, e.Bytes, e.Leases)).ToList();
            }
        }
    }

    /// <summary>Returns a lease on the model under <paramref name="key"/>, loading it with <paramref name="load"/> if needed.</summary>
    /// <remarks>Dispose the lease when the job is done with the model; until then it cannot be evicted.</remarks>
    public async Task<ModelLease<T>> AcquireAsync<T>(string key, Func<CancellationToken, Task<LoadedModel<T>>> load, CancellationToken cancellationToken)
        where T : class, IDisposable
    {
        ArgumentNullException.ThrowIfNull(load);
        Entry entry;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entries.TryGetValue(key, out entry!))
            {
                entry = new Entry(key);
                _entries[key] = entry;
            }

            entry.Leases++;
        }

        try
        {
            await entry.Loading.WaitAsync(cancellationToken);
            try
            {
                if (entry.Model is null)
                {
                    var loaded = await load(cancellationToken);
                    lock (_gate)
                    {
                        entry.Model = loaded.Model;
                        entry.Bytes = loaded.Bytes;
                    }

                    LogLoaded(key, loaded.Bytes);
                }
            }
            finally
            {
                entry.Loading.Release();
            }

            if (entry.Model is not T model)
            {
                throw new InvalidOperationException($"model '{key}' is a {entry.Model!.GetType().Name}, not a {typeof(T).Name}");
            }

            lock (_gate)
            {
                entry.LastUsed = clock.GetTimestamp();
                EvictOverBudget();
            }

            return new ModelLease<T>(model, () => Release(entry));
        }
        catch
        {
            Release(entry);
            throw;
        }
    }

    /// <summary>Disposes every model no job holds; a model still leased (a job that outlived the host's shutdown wait)
    /// is disposed when its last lease is released, never under the job, whose native calls would read freed memory.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var entry in _entries.Values.Where(e => e.Leases == 0).ToList())
            {
                Drop(entry);
            }
        }
    }

    // caller holds _gate
    private void Drop(Entry entry)
    {
        entry.Model?.Dispose();
        entry.Loading.Dispose();
        _entries.Remove(entry.Key);
    }

    private void Release(Entry entry)
    {
        lock (_gate)
        {
            entry.Leases--;
            entry.LastUsed = clock.GetTimestamp();
            if (entry.Leases == 0 && (_disposed || entry.Model is null))
            {
                Drop(entry); // the registry is gone, or a failed load leaves nothing behind
            }
            else if (!_disposed)
            {
                EvictOverBudget();
            }
        }
    }

    // caller holds _gate
    private void EvictOverBudget()
    {
        var budget = options.Value.MemoryBudgetBytes;
        var total = _entries.Values.Where(e => e.Model is not null).Sum(e => e.Bytes);
        while (total > budget)
        {
            var victim = _entries.Values.Where(e => e.Model is not null && e.Leases == 0).MinBy(e => e.LastUsed);
            if (victim is null)
            {
                return; // everything loaded is in use
            }

            Drop(victim);
            total -= victim.Bytes;
            LogEvicted(victim.Key, victim.Bytes, budget);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {Key} ({Bytes} bytes)")]
    private partial void LogLoaded(string key, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evicted model {Key} ({Bytes} bytes) to stay within {Budget} bytes")]
    private partial void LogEvicted(string key, long bytes, long budget);

    private sealed class Entry(string key)
    {
        public string Key { get; } = key;

        public SemaphoreSlim Loading { get; } = new(1, 1);

        public IDisposable? Model { get; set; }

        public long Bytes { get; set; }

        public int Leases { get; set; }

        public long LastUsed { get; set; }
    }
}

/// <summary>A freshly loaded model and the bytes its weights occupy.</summary>
public sealed record LoadedModel<T>(T Model, long Bytes);

/// <summary>A loaded model's key, size and current users.</summary>
public sealed record LoadedModelInfo(string Key, long Bytes, int Leases);

/// <summary>The right to use a shared model until disposed.</summary>
public sealed class ModelLease<T>(T model, Action release) : IDisposable
{
    private Action? _release = release;

    public T Model { get; } = model;

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
