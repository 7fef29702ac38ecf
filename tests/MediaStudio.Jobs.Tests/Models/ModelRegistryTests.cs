using MediaStudio.Jobs.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace MediaStudio.Jobs.Tests.Models;

public sealed class ModelRegistryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ModelRegistry Create(long budget) =>
        new(Options.Create(new ModelRegistryOptions { MemoryBudgetBytes = budget }), TimeProvider.System, NullLogger<ModelRegistry>.Instance);

    private static Func<CancellationToken, Task<LoadedModel<torch.nn.Module>>> LinearLoader(int width, Action? onLoad = null) => async ct =>
    {
        onLoad?.Invoke();
        await Task.Delay(20, ct); // loading takes a while, so concurrent callers overlap
        var module = torch.nn.Linear(width, width);
        return new LoadedModel<torch.nn.Module>(module, ModelSize.Of(module));
    };

    [Fact]
    public async Task AcquireAsync_ManyConcurrentCallers_LoadsOnceAndSharesTheModel()
    {
        using var registry = Create(budget: 1L << 30);
        var loads = 0;

        var leases = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            registry.AcquireAsync("unet", LinearLoader(16, () => Interlocked.Increment(ref loads)), Ct)));

        Assert.Equal(1, loads);
        Assert.All(leases, lease => Assert.Same(leases[0].Model, lease.Model));
        Assert.Equal(8, Assert.Single(registry.Loaded).Leases);
        foreach (var lease in leases)
        {
            lease.Dispose();
        }

        Assert.Equal(0, Assert.Single(registry.Loaded).Leases);
    }

    [Fact]
    public async Task AcquireAsync_OverBudget_EvictsLeastRecentlyUsedIdleModelAndDisposesIt()
    {
        var linearBytes = (64 * 64 + 64) * sizeof(float);
        using var registry = Create(budget: 2 * linearBytes);
        var first = await registry.AcquireAsync("a", LinearLoader(64), Ct);
        var firstModel = first.Model;
        first.Dispose();
        (await registry.AcquireAsync("b", LinearLoader(64), Ct)).Dispose();

        (await registry.AcquireAsync("c", LinearLoader(64), Ct)).Dispose();

        Assert.Equal(["c", "b"], registry.Loaded.Select(m => m.Key));
        Assert.Throws<InvalidOperationException>(() => firstModel.parameters().First().numel()); // disposed: its native memory is freed
    }

    [Fact]
    public async Task Dispose_WhileAJobHoldsALease_KeepsThatModelUntilTheLeaseIsReleased()
    {
        var registry = Create(budget: 1L << 30);
        var idle = await registry.AcquireAsync("idle", LinearLoader(8), Ct);
        var idleModel = idle.Model;
        idle.Dispose();
        var running = await registry.AcquireAsync("running", LinearLoader(8), Ct);

        registry.Dispose();                                   // the host shuts down while a job still runs

        Assert.Throws<InvalidOperationException>(() => idleModel.parameters().First().numel());
        using (var x = torch.ones(1, 8))
        using (var y = ((torch.nn.Module<torch.Tensor, torch.Tensor>)running.Model).forward(x))
        {
            Assert.Equal([1L, 8], y.shape);                   // the job's model is still whole
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => registry.AcquireAsync("other", LinearLoader(8), Ct));
        running.Dispose();
        Assert.Throws<InvalidOperationException>(() => running.Model.parameters().First().numel()); // freed with its last lease
        Assert.Empty(registry.Loaded);
    }

    [Fact]
    public async Task AcquireAsync_OverBudgetButInUse_KeepsLeasedModels()
    {
        using var registry = Create(budget: 1);
        using var a = await registry.AcquireAsync("a", LinearLoader(8), Ct);
        using var b = await registry.AcquireAsync("b", LinearLoader(8), Ct);

        Assert.Equal(2, registry.Loaded.Count);
        Assert.Equal(1, a.Model.parameters().First().shape[0] / 8);
    }

    [Fact]
    public async Task AcquireAsync_LoadFails_IsNotCachedAndNextCallLoadsAgain()
    {
        using var registry = Create(budget: 1L << 30);

        await Assert.ThrowsAsync<IOException>(() => registry.AcquireAsync<torch.nn.Module>("broken", _ => throw new IOException("truncated file"), Ct));
        using var lease = await registry.AcquireAsync("broken", LinearLoader(4), Ct);

        Assert.Equal("broken", Assert.Single(registry.Loaded).Key);
    }
}
