using MediaStudio.Diffusion.Reward;
using MediaStudio.Diffusion.Tests.Clip;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Synthetic.Recognition;
using MediaStudio.Synthetic.Scenes;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Reward;

/// <summary>The committed models/reward folder: strict load on its own with every SHA-256 checked.</summary>
[Collection(NativeTestGroup.Name)]
public sealed class BundledRewardTests
{
    [Fact]
    public void FromPretrained_BundledReward_LoadsStrictlyAndScoresAPair()
    {
        var folder = Path.Combine(BundledClipTests.ModelsFolder, "reward");
        var manifest = Sha256Manifest.Read(folder);

        using var model = RewardModel.FromPretrained(folder);
        var pair = PreferencePair.Sample(123);
        using var images = SceneRecognizer.ToBatch([pair.Chosen, pair.Rejected], model.Config.Clip.Vision.ImageSize);
        using var guard = no_grad();
        using var scores = model.Score(images, [pair.Prompt, pair.Prompt]);

        Assert.Equal(3, manifest.Count);
        Assert.Equal([2L], scores.shape);
        Assert.True(scores.isfinite().all().item<bool>());
        Assert.True(new FileInfo(Path.Combine(folder, ModelFolder.WeightsFileName)).Length < 16 << 20, "the reward folder stays a few MB");
    }
}
