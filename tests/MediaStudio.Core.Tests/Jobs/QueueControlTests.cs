using MediaStudio.Core.Jobs;
using MediaStudio.Core.Tests.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace MediaStudio.Core.Tests.Jobs;

public sealed class QueueControlTests
{
    public static TheoryData<string> Providers => [TestDatabase.Sqlite, TestDatabase.PostgreSql];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task PauseThenResume_FreshDatabase_StateFollowsWithReason(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, Ct);

        var initial = await db.InScopeAsync(s => s.GetRequiredService<QueueControl>().GetAsync(Ct));
        var paused = await db.InScopeAsync(async s =>
        {
            await s.GetRequiredService<QueueControl>().PauseAsync("paused by you", Ct);
            return await s.GetRequiredService<QueueControl>().GetAsync(Ct);
        });
        var resumed = await db.InScopeAsync(async s =>
        {
            await s.GetRequiredService<QueueControl>().ResumeAsync(Ct);
            return await s.GetRequiredService<QueueControl>().GetAsync(Ct);
        });

        Assert.False(initial.Paused);
        Assert.True(paused.Paused);
        Assert.Equal("paused by you", paused.Reason);
        Assert.False(resumed.Paused);
        Assert.Null(resumed.Reason);
    }
}
