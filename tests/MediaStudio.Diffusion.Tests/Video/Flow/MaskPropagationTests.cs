using MediaStudio.Diffusion.Video.Flow;
using MediaStudio.Synthetic.Clips;

namespace MediaStudio.Diffusion.Tests.Video.Flow;

[Collection(NativeTestGroup.Name)]
public sealed class MaskPropagationTests
{
    [Fact]
    public void Propagate_TinyWorldClip_IouAboveBound()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(seed: 3, frameCount: 8));
        var truth = ObjectMasks(clip);

        var masks = new MaskPropagation().Propagate(clip.Frames, truth[0], TestContext.Current.CancellationToken);

        // measured: 0.93-1.00 per frame, mean 0.98 (the target is 0.85 on held-out clips)
        var ious = masks.Skip(1).Select((m, t) => FlowEvaluation.Iou(m, truth[t + 1])).ToList();
        Assert.True(ious.Average() > 0.9, $"mean IoU {ious.Average():F3} is under 0.9");
        Assert.All(ious, iou => Assert.True(iou > 0.8, $"a frame's IoU {iou:F3} is under 0.8"));
    }

    [Fact]
    public void Propagate_FirstMask_IsReturnedBinarised()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(seed: 3, frameCount: 2));
        var mask = ObjectMasks(clip)[0].Select(v => v == 0 ? (byte)0 : (byte)1).ToArray();

        var masks = new MaskPropagation().Propagate(clip.Frames, mask, TestContext.Current.CancellationToken);

        Assert.Equal(2, masks.Count);
        Assert.Equal(mask.Select(v => v == 0 ? (byte)0 : (byte)255), masks[0]);
        Assert.All(masks[1], v => Assert.True(v is 0 or 255));
    }

    [Fact]
    public void Propagate_MaskOfWrongSize_ThrowsNamingTheSizes()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(seed: 3, frameCount: 2));

        var e = Assert.Throws<ArgumentException>(() => new MaskPropagation().Propagate(clip.Frames, new byte[10], TestContext.Current.CancellationToken));

        Assert.Contains("64x64", e.Message, StringComparison.Ordinal);
    }

    private static List<byte[]> ObjectMasks(Synthetic.Clips.Clip clip)
    {
        var id = clip.Spec.EditedObject + 1;
        return [.. clip.InstanceMasks.Select(m => m.Select(v => v == id ? (byte)255 : (byte)0).ToArray())];
    }
}
