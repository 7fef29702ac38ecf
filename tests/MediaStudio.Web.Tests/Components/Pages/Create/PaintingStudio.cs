using MediaStudio.Jobs.Execution;
using MediaStudio.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MediaStudio.Web.Tests.Components.Pages.Create;

/// <summary>A real studio whose <c>text-to-image</c> kind is the <see cref="PaintingHandler"/>.</summary>
public sealed class PaintingStudio : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("mediastudio-paint-").FullName;
    private WebApplication? _app;

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("not started");

    public string DataPath => _data;

    public async ValueTask InitializeAsync()
    {
        _app = StudioWebApp.Create(
            ["--urls", "http://127.0.0.1:0", "--MediaStudio:Storage:DataPath", _data],
            services => services.AddSingleton<IJobHandler, PaintingHandler>());
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
