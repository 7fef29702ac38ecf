using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;
using MediaStudio.Core.Owners;
using MediaStudio.Core.Persistence;
using MediaStudio.Jobs.Execution;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MediaStudio.Jobs.Tests.Hosting;

/// <summary>What the end-to-end job tests do to a started studio host: submit, wait, read outputs, store and copy out assets.</summary>
internal static class StudioHostDriver
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<T> InScopeAsync<T>(this IHost host, Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public static Task<JobRecord> SubmitAsync(this IHost host, string kind, string spec) =>
        host.InScopeAsync(s => s.GetRequiredService<JobService>().SubmitAsync(kind, Owner.Local, spec, Ct));

    public static Task<JobRecord> WaitFinalAsync(this IHost host, Guid id) => host.WaitAsync(id, j => j.Status.IsFinal());

    /// <summary>Polls the job row until <paramref name="condition"/> holds; fails the test after two minutes.</summary>
    public static async Task<JobRecord> WaitAsync(this IHost host, Guid id, Func<JobRecord, bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var job = await host.InScopeAsync(s => s.GetRequiredService<JobStore>().FindAsync(id, Ct));
            if (job is not null && condition(job))
            {
                return job;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(120), $"job {id} is still {job?.Status} at stage {job?.Stage}: {job?.Error}");
            await Task.Delay(50, Ct);
        }
    }

    public static Task<List<AssetRecord>> OutputsAsync(this IHost host, Guid jobId) =>
        host.InScopeAsync(s => s.GetRequiredService<StudioDbContext>().Assets.AsNoTracking().Where(a => a.SourceJobId == jobId).ToListAsync(Ct));

    public static Task<AssetRecord> FindAssetAsync(this IHost host, Guid id) =>
        host.InScopeAsync(s => s.GetRequiredService<StudioDbContext>().Assets.AsNoTracking().SingleAsync(a => a.Id == id, Ct));

    /// <summary>Stores content in the blob store and adds an uploaded asset row for it, as the upload endpoints do.</summary>
    public static async Task<AssetRecord> StoreAsync(
        this IHost host, Stream content, string mediaType, string name, string? slot = null, int? width = null, int? height = null)
    {
        var blob = await host.Services.GetRequiredService<IBlobStore>().PutAsync(content, 1 << 26, Ct);
        var asset = new AssetRecord
        {
            Id = Guid.CreateVersion7(),
            OwnerId = Owner.Local,
            Kind = AssetKind.Upload,
            MediaType = mediaType,
            Sha256 = blob.Sha256,
            SizeBytes = blob.SizeBytes,
            Width = width,
            Height = height,
            FileName = name,
            Slot = slot,
            CreatedAt = TimeProvider.System.GetUtcNow(),
        };
        await host.InScopeAsync(async s =>
        {
            var db = s.GetRequiredService<StudioDbContext>();
            db.Assets.Add(asset);
            return await db.SaveChangesAsync(Ct);
        });
        return asset;
    }

    /// <summary>Copies an asset's content out of the blob store to a new mp4 file in <paramref name="folder"/>.</summary>
    public static async Task<string> CopyOutAsync(this IHost host, AssetRecord asset, string folder)
    {
        var path = Path.Combine(folder, $"{Guid.NewGuid():N}.mp4");
        await using var source = host.Services.GetRequiredService<IBlobStore>().OpenRead(asset.Sha256);
        await using var target = File.Create(path);
        await source.CopyToAsync(target, Ct);
        return path;
    }
}
