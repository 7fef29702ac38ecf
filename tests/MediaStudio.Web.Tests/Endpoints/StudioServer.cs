using MediaStudio.Jobs.Execution;
using MediaStudio.Tests.Shared;
using MediaStudio.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MediaStudio.Web.Tests.Endpoints;

/// <summary>The real web host on a loopback port, with its own data folder and the test job kind registered.</summary>
public sealed class StudioServer : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("mediastudio-api-").FullName;
    private WebApplication? _app;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>Gets the server's data folder (database, blobs).</summary>
    public string DataPath => _data;

    /// <summary>Gets the server's models folder (not created until a test writes into it).</summary>
    public string ModelsPath => Path.Combine(_data, "models");

    /// <summary>Gets the running host, for resolving its services.</summary>
    public WebApplication App => _app ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _app = StudioWebApp.Create(
            ["--urls", "http://127.0.0.1:0", "--MediaStudio:Storage:DataPath", _data, "--MediaStudio:Models:Path", Path.Combine(_data, "models")],
            services => services.AddSingleton<IJobHandler, StepsHandler>());
        await _app.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app!.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }
}
