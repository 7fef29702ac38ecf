using FFMpegCore;
using MediaStudio.Media.Images;
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

        // Hardened codecs: four image decoders with header-first limits; ffmpeg pinned to local files and mp4/mkv/webm.
        var imageOptions = configuration.GetSection(ImageDecodeOptions.Section).Get<ImageDecodeOptions>() ?? new ImageDecodeOptions();
        var videoLimits = configuration.GetSection(VideoLimits.Section).Get<VideoLimits>() ?? new VideoLimits();
        services.AddSingleton(new SafeImageCodec(imageOptions));
        services.AddSingleton(new VideoCodec(folder, videoLimits));
        return services;
    }
}
