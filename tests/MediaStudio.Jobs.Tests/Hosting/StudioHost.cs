using MediaStudio.Core;
using MediaStudio.Media;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MediaStudio.Jobs.Tests.Hosting;

/// <summary>A generic host composed exactly like the studio's, minus the web parts.</summary>
internal static class StudioHost
{
    public static IHost Build(IDictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services
            .AddCore(builder.Configuration)
            .AddMedia(builder.Configuration)
            .AddJobs(builder.Configuration);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }
}
