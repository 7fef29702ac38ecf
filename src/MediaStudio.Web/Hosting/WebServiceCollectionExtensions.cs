using MediaStudio.Media.Images;
using MediaStudio.Media.Video;
using MediaStudio.Web.Services;

namespace MediaStudio.Web.Hosting;

/// <summary>Registers the studio's page and API services.</summary>
public static class WebServiceCollectionExtensions
{
    /// <summary>Adds the upload checks, the asset library, the job board and the negative-embedding catalog.</summary>
    public static IServiceCollection AddStudioWeb(this IServiceCollection services, IConfiguration configuration)
    {
        // uploads: the same limits as every other untrusted image (MediaStudio:Images)
        var images = configuration.GetSection(ImageDecodeOptions.Section).Get<ImageDecodeOptions>() ?? new ImageDecodeOptions();
        services.AddSingleton(new ImageInspector(images));
        services.AddOptions<VideoUploadOptions>().BindConfiguration(VideoUploadOptions.Section);
        var ffmpeg = configuration.GetSection(FfmpegOptions.Section).Get<FfmpegOptions>() ?? new FfmpegOptions();
        var videoLimits = configuration.GetSection(VideoLimits.Section).Get<VideoLimits>() ?? new VideoLimits();
        services.AddSingleton(FirstFrameReader.Create(FfmpegLocator.FindBinaryFolder(ffmpeg, Environment.GetEnvironmentVariable("PATH")), videoLimits));

        // page services: each call opens its own scope, so timers and buttons never share a DbContext
        services.AddSingleton<AssetLibrary>();
        services.AddSingleton<JobBoard>();
        services.AddSingleton<NegativeEmbeddingCatalog>();
        services.AddSingleton<ModelCatalog>();
        return services;
    }
}
