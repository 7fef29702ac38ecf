using FFMpegCore;
using MediaStudio.Media.Video;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MediaStudio.Media;

/// <summary>Registers safe image and video IO.</summary>
public static class MediaServiceCollectionExtensions
{
    /// <summary>Locates ffmpeg, points FFMpegCore at it and adds its health check.</summary>
    /// <exception cref="MediaStudio.Core.Hosting.StudioConfigurationException">ffmpeg or ffprobe is missing.</exception>
    public static IServiceCollection AddMedia(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(FfmpegOptions.Section).Get<FfmpegOptions>() ?? new FfmpegOptions();
        var folder = FfmpegLocator.FindBinaryFolder(options, Environment.GetEnvironmentVariable("PATH"));
        GlobalFFOptions.Configure(new FFOptions { BinaryFolder = folder });

        services.AddHealthChecks().AddCheck("ffmpeg", new FfmpegHealthCheck(folder));
        return services;
    }
}
