using MediaStudio.Diffusion.Autoencoder;
using MediaStudio.Synthetic.Scenes;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Autoencoder;

/// <summary>Seeded tiny models and small world batches shared by the autoencoder tests.</summary>
internal static class AutoencoderTestData
{
    public static AutoencoderKL TinyModel(long seed = 7)
    {
        random.manual_seed(seed);
        return AutoencoderKL.FromConfig(AutoencoderKLConfig.Tiny);
    }

    /// <summary>World renders at the tiny config's 16x16, as a (B, 3, 16, 16) batch in [-1, 1].</summary>
    public static Tensor WorldBatch(int count, long firstSeed = 100, int size = 16) =>
        AutoencoderImages.ToBatch([.. Enumerable.Range(0, count).Select(i => SceneRendering.Render(SceneSampler.Sample(firstSeed + i), size, size))], size);

    /// <summary>The repository root: the first folder above the test binary that holds MediaStudio.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MediaStudio.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no MediaStudio.sln above {AppContext.BaseDirectory}");
    }
}
