using MediaStudio.Synthetic.Recognition;
using MediaStudio.Synthetic.Scenes;

namespace MediaStudio.Diffusion.Tests;

[Collection(NativeTestGroup.Name)]
public sealed class ImageBatchTests
{
    [Fact]
    public void ToBatch_WorldRender_IsInUnitRangeWithThreeChannels()
    {
        var image = SceneRendering.Render(SceneSampler.Sample(7));
        using var batch = SceneRecognizer.ToBatch([image], 64);

        Assert.Equal([1L, 3, 64, 64], batch.shape);
        Assert.InRange(batch.min().item<float>(), -1f, 1f);
        Assert.InRange(batch.max().item<float>(), -1f, 1f);
        Assert.True(batch.std().item<float>() > 0.01f, "a rendered scene is not flat");
    }
}
