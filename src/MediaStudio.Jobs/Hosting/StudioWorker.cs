using MediaStudio.Core;
using MediaStudio.Core.Hosting;
using MediaStudio.Media;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MediaStudio.Jobs.Hosting;

/// <summary>A worker host with no web server: the same core, media and jobs composition, working on the configured queues.</summary>
public static class StudioWorker
{
    /// <summary>Runs the worker until SIGTERM, Ctrl+C or <paramref name="cancellationToken"/>.</summary>
    /// <param name="args">Configuration overrides, e.g. <c>--MediaStudio:Queue:WorkQueues:0 render</c>.</param>
    /// <param name="configure">Extra registrations, such as job handlers.</param>
    /// <param name="cancellationToken">Stops the worker.</param>
    /// <returns>0 after a clean stop, 2 for a configuration fault.</returns>
    public static async Task<int> RunAsync(string[] args, Action<IServiceCollection>? configure, CancellationToken cancellationToken)
    {
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
            builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));
            builder.Services
                .AddCore(builder.Configuration)
                .AddMedia(builder.Configuration)
                .AddJobs(builder.Configuration);
            configure?.Invoke(builder.Services);
            using var host = builder.Build();
            await host.RunAsync(cancellationToken);
            return 0;
        }
        catch (StudioConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"mediastudio: error: {e.Message}");
            return 2;
        }
    }
}
