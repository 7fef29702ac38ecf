using MediaStudio.Diffusion.Clip;
using MediaStudio.Neural.Checkpoints;

namespace MediaStudio.Diffusion.Tests.Clip;

/// <summary>The committed models/clip folder: strict load with every SHA-256 checked.</summary>
[Collection(NativeTestGroup.Name)]
public sealed class BundledClipTests
{
    /// <summary>The repository's models folder, found above the test binary.</summary>
    internal static string ModelsFolder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "MediaStudio.sln")))
                {
                    return Path.Combine(dir.FullName, "models");
                }
            }

            throw new InvalidOperationException("MediaStudio.sln not found above " + AppContext.BaseDirectory);
        }
    }

    [Fact]
    public void FromPretrained_BundledClip_LoadsStrictlyAndEncodesPrompts()
    {
        var folder = Path.Combine(ModelsFolder, "clip");
        var manifest = Sha256Manifest.Read(folder);

        using var model = ClipModel.FromPretrained(folder);
        using var states = model.EncodePromptTokens(["A small red circle on the left on a plain blue background", ""]);

        Assert.Equal([ModelFolder.ConfigFileName, ModelFolder.WeightsFileName, ClipTokenizer.VocabFileName], manifest.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([2L, model.Config.Text.MaxPositionEmbeddings, model.Config.Text.HiddenSize], states.shape);
        Assert.True(states.isfinite().all().item<bool>());
    }

    [Fact]
    public void Tokenizer_BundledVocab_IsWhatTheRecipeBuildsFromTheWorld()
    {
        var folder = Path.Combine(ModelsFolder, "clip");
        var recipe = ClipRecipe.Load(Path.Combine(folder, "recipe.json"));

        var bundled = ClipTokenizer.Load(folder);
        var rebuilt = ClipTokenizer.BuildFromWorld(recipe.ContextLength, recipe.VocabScenes);

        Assert.Equal(rebuilt.Tokens, bundled.Tokens);
        Assert.Equal(rebuilt.ContextLength, bundled.ContextLength);
    }
}
