using MediaStudio.Synthetic.Clips;

namespace MediaStudio.Synthetic.Tests.Clips;

public sealed class ClipFramesTests
{
    [Fact]
    public void RenderFrames_SelectedIndices_EqualTheFullRendersFrames()
    {
        var spec = ClipSampler.Sample(11, frameCount: 9);
        var full = ClipRenderer.Render(spec);

        var frames = ClipRenderer.RenderFrames(spec, [0, 4, 8]);

        Assert.Equal(full.Frames[0].Pixels, frames[0].Pixels);
        Assert.Equal(full.Frames[4].Pixels, frames[1].Pixels);
        Assert.Equal(full.Frames[8].Pixels, frames[2].Pixels);
    }
}
