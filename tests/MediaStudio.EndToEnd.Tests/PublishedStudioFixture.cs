namespace MediaStudio.EndToEnd.Tests;

/// <summary>One published studio process shared by the tests of a class.</summary>
public sealed class PublishedStudioFixture : IAsyncLifetime
{
    private StudioProcess? _studio;

    public StudioProcess Studio => _studio ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _studio = StudioProcess.Start(AppLocations.Published());
        await _studio.WaitHealthyAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_studio is not null)
        {
            await _studio.DisposeAsync();
        }
    }
}
