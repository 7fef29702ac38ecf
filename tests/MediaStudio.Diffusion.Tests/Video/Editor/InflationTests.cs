using MediaStudio.Diffusion.Video.Motion;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Video.Editor;

[Collection(NativeTestGroup.Name)]
public sealed class InflationTests
{
    [Fact]
    public void ForwardMixed_ZeroInitialisedMotionModules_EqualsImageEditor()
    {
        using var editor = VideoEditFixtures.Editor(1);
        using var motion = VideoEditFixtures.Motion(2);
        using var scope = NewDisposeScope();
        var (input, t, context) = VideoEditFixtures.Clip(editor, 6, seed: 3);

        var image = editor.forward(input, t, context);
        var inflated = editor.ForwardMixed(input, t, context, new VideoFrameMixer(6, motion, null, null));

        Assert.Equal(0f, (image - inflated).abs().max().item<float>());
    }

    [Fact]
    public void ForwardMixed_ZeroInitialisedMotionReference_EqualsImageEditor()
    {
        using var editor = VideoEditFixtures.Editor(4);
        using var motion = VideoEditFixtures.Motion(5);
        using var reference = VideoEditFixtures.Reference(6);
        using var scope = NewDisposeScope();
        var (input, t, context) = VideoEditFixtures.Clip(editor, 5, seed: 7);
        var (forward, backward) = VideoEditFixtures.Flows(5, editor.Config.ImageSize, 1.5f);
        using var flows = FrameFlows.FromPairs(forward, backward, 1, 1.0);

        var image = editor.forward(input, t, context);
        var inflated = editor.ForwardMixed(input, t, context, new VideoFrameMixer(5, motion, reference, flows));

        Assert.Equal(0f, (image - inflated).abs().max().item<float>());
    }

    [Fact]
    public void ForwardMixed_TrainedMotionModules_CarryInformationAcrossFramesOnly()
    {
        using var editor = VideoEditFixtures.Editor(8);
        using var motion = VideoEditFixtures.Motion(9);
        VideoEditFixtures.Perturb(motion, 10);
        using var scope = NewDisposeScope();
        var (input, t, context) = VideoEditFixtures.Clip(editor, 4, seed: 11);
        var changed = input.clone();
        changed[3] = changed[3] + 1;                                           // only the last frame changes

        var mixer = new VideoFrameMixer(4, motion, null, null);
        var a = editor.ForwardMixed(input, t, context, mixer);
        var b = editor.ForwardMixed(changed, t, context, mixer);
        var perFrameA = editor.forward(input, t, context);
        var perFrameB = editor.forward(changed, t, context);

        // frame 0 now sees frame 3 through the temporal attention; the image editor alone does not
        Assert.True((a[0] - b[0]).abs().max().item<float>() > 1e-4f);
        Assert.Equal(0f, (perFrameA[0] - perFrameB[0]).abs().max().item<float>());
    }

    [Fact]
    public void TemporalTransformer_AttendsOverFramesPerPixel_NotAcrossPixels()
    {
        manual_seed(12);
        using var module = new TemporalTransformer(16, [1, 2, 4, 8], 8);
        VideoEditFixtures.Perturb(module, 13);
        using var scope = NewDisposeScope();
        var x = randn(2 * 4, 16, 12, 12);                                      // 2 clips of 4 frames
        var changed = x.clone();
        changed[1, .., 2, 3] = changed[1, .., 2, 3] + 3;                       // clip 0, frame 1, pixel (2, 3)

        var diff = (module.forward(changed, 4) - module.forward(x, 4)).abs().sum(1); // (8, 12, 12)
        var atPixel = diff[0, 2, 3].item<float>();
        diff[0, 2, 3] = 0;
        var elsewhere = diff[0].max().item<float>();

        // same pixel in another frame of the clip: reached through attention over frames; other pixels only through
        // frame 1's GroupNorm statistics (a small shift); the other clip not at all
        Assert.True(atPixel > 10 * elsewhere, $"pixel (2, 3) of frame 0 moved {atPixel}, other pixels up to {elsewhere}");
        Assert.Equal(0f, diff.narrow(0, 4, 4).sum().item<float>());
    }

    [Fact]
    public void FlowGuidedReference_InvalidFlow_IgnoresNeighbours()
    {
        manual_seed(14);
        using var layer = new FlowGuidedReference(16, 8);
        VideoEditFixtures.Perturb(layer, 15);
        using var scope = NewDisposeScope();
        var x = randn(3, 16, 8, 8);
        var changed = x.clone();
        changed[0] = randn(16, 8, 8);                                          // frame 0 changes (not by a constant: GroupNorm removes that)
        // flows whose round trip is off by 10 pixels: consistency weight exp(-100) ~ 0
        var forward = full(2, 2, 8, 8, 0.5f);
        var backward = full(2, 2, 8, 8, 9.5f);
        using var bad = FrameFlows.FromPairs(forward, backward, 1, 1.0);
        var (good0, good1) = VideoEditFixtures.Flows(3, 8, 0f);
        using var good = FrameFlows.FromPairs(good0, good1, 1, 1.0);

        var ignored = (layer.forward(changed, 3, bad) - layer.forward(x, 3, bad))[1].abs().max().item<float>();
        var used = (layer.forward(changed, 3, good) - layer.forward(x, 3, good))[1].abs().max().item<float>();

        Assert.True(ignored < 1e-4f, $"frame 1 changed by {ignored} through an invalid flow");
        Assert.True(used > 1e-3f, $"frame 1 changed by only {used} through a valid flow");
    }
}
