using MediaStudio.Jobs.Execution;
using MediaStudio.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MediaStudio.Web.Tests.Components.Pages.Batch;

/// <summary>A real studio whose <c>batch-render</c> kind is the <see cref="SheetHandler"/>.</summary>
public sealed class SheetStudio : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("mediastudio-sheet-").FullName;
    private WebApplication? _app;

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("not started");

    public string DataPath => _data;

    public async ValueTask InitializeAsync()
    {
        _app = StudioWebApp.Create(
            ["--urls", "http://127.0.0.1:0", "--MediaStudio:Storage:DataPath", _data],
            services => services.AddSingleton<IJobHandler, SheetHandler>());
        await _app.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app!.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }
}
