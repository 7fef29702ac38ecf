using System.Net.Sockets;
using Hangfire;
using Hangfire.Dashboard;
using MediaStudio.Core;
using MediaStudio.Core.Hosting;
using MediaStudio.Jobs;
using MediaStudio.Media;
using System.Text.Json;
using System.Text.Json.Serialization;
using MediaStudio.Web.Components;
using MediaStudio.Web.Endpoints;
using Scalar.AspNetCore;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace MediaStudio.Web.Hosting;

/// <summary>Builds and runs the studio's web host; shared by <c>MediaStudio.Web</c> and <c>mediastudio serve</c>.</summary>
public static class StudioWebApp
{
    /// <summary>Composes the web host: core, media, jobs, Blazor, health and the Hangfire dashboard.</summary>
    /// <exception cref="StudioConfigurationException">The configuration or environment cannot work.</exception>
    /// <param name="args">Command-line arguments, including configuration overrides.</param>
    /// <param name="configure">Extra registrations applied last; hosts and tests add job handlers here.</param>
    public static WebApplication Create(string[] args, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            // the static-asset manifests are named after the web project, whichever host (web, CLI, tests) runs it
            ApplicationName = typeof(StudioWebApp).Assembly.GetName().Name,
        });
        // serve root wwwroot/ and package assets from build output too, in every environment;
        // publish output has them in place and no runtime manifest, so this is a no-op there
        builder.WebHost.UseStaticWebAssets();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));

        builder.Services
            .AddCore(builder.Configuration)
            .AddMedia(builder.Configuration)
            .AddJobs(builder.Configuration)
            .AddStudioWeb(builder.Configuration);
        builder.Services.AddDataProtection().SetApplicationName("MediaStudio");
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<IOptions<StorageOptions>, ILoggerFactory>((keys, storage, logs) =>
                keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(storage.Value.DataPath, "keys")), logs));
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        // snackbars at the bottom right, clear of the page's own buttons
        builder.Services.AddMudServices(mud => mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));

        configure?.Invoke(builder.Services);

        var app = builder.Build();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        app.UseAntiforgery();
        app.MapStaticAssets(PublishedHostManifest());
        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapJobsApi();
        app.MapAssetsApi();
        app.MapQueueApi();
        app.MapModelsApi();
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthResponse.WriteAsync });
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            // TODO(#7): replace with the studio's own authentication once it lands.
            Authorization = [new LocalRequestsOnlyAuthorizationFilter()],
            DisplayStorageConnectionString = false,
            DashboardTitle = "MediaStudio queue",
        });
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>Runs the host until SIGTERM, Ctrl+C or <paramref name="cancellationToken"/>, turning configuration faults into one-line errors.</summary>
    /// <returns>The process exit code: 0 after a clean shutdown, 2 for a configuration fault.</returns>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        try
        {
            await using var app = Create(args);
            PortCheck.EnsureFree(app.Configuration["urls"]);
            await app.StartAsync(cancellationToken);
            if (app.Logger.IsEnabled(LogLevel.Information))
            {
                app.Logger.LogInformation("MediaStudio is serving {Urls}", string.Join(", ", app.Urls));
            }
            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        }
        catch (StudioConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"mediastudio: error: {e.Message}");
            return 2;
        }
        catch (IOException e) when (e.InnerException is SocketException or Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            await Console.Error.WriteLineAsync($"mediastudio: error: {e.Message} Choose another address with --urls.");
            return 2;
        }
    }

    // build output holds the manifest named after the web project; a published host (the CLI's `serve`) holds one named
    // after itself, with the web project's assets merged in
    private static string? PublishedHostManifest()
    {
        static string Manifest(string? name) => Path.Combine(AppContext.BaseDirectory, $"{name}.staticwebassets.endpoints.json");
        var host = Manifest(System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name);
        return !File.Exists(Manifest(typeof(StudioWebApp).Assembly.GetName().Name)) && File.Exists(host) ? host : null;
    }
}
