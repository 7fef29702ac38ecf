using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Diffusion.Video.Training;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Video.Editor;

[Collection(NativeTestGroup.Name)]
public sealed class VideoEditTrainingTests
{
    [Fact]
    public void Editor_Batch_MasksAnObjectAndGivesAReference()
    {
        using var scope = NewDisposeScope();
        var recipe = new VideoEditRecipe();

        var batch = VideoEditData.Editor(7, 3, 4, 16, recipe);

        Assert.Equal([4L, 3, 16, 16], batch.Target.shape);
        Assert.Equal([4L, 1, 16, 16], batch.Mask.shape);
        Assert.Equal([4L, 3, 16, 16], batch.Reference.shape);
        var covered = batch.Mask.mean([1, 2, 3]);                              // every sample masks something, never the whole frame
        Assert.True(covered.min().item<float>() > 0 && covered.max().item<float>() < 1);
        Assert.True(batch.Target.min().item<float>() >= -1 && batch.Target.max().item<float>() <= 1);
    }

    [Fact]
    public void ClipLoss_MaskedMotionModeling_TrainsOnlyTheMotionModules()
    {
        using var editor = VideoEditFixtures.Editor(31);
        using var motion = VideoEditFixtures.Motion(32);
        VideoEditFixtures.Perturb(motion, 33);
        foreach (var p in editor.parameters())
        {
            p.requires_grad = false;
        }

        using var scope = NewDisposeScope();
        var schedule = new NoiseSchedule(editor.Config.Schedule);
        var batch = VideoEditData.Clips(5, 0, 2, 4, editor.Config.ImageSize);
        manual_seed(34);

        var loss = VideoEditTraining.ClipLoss(editor, motion, null, schedule, batch, new VideoEditRecipe(), maskedMotion: true);
        loss.backward();

        Assert.True(float.IsFinite(loss.item<float>()));
        Assert.All(editor.parameters(), p => Assert.True(p.grad is null));
        Assert.Contains(motion.parameters(), p => p.grad is not null && p.grad.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void ClipLoss_MotionReference_UsesTheGroundTruthFlows()
    {
        using var editor = VideoEditFixtures.Editor(35);
        using var reference = VideoEditFixtures.Reference(36);
        using var scope = NewDisposeScope();
        var schedule = new NoiseSchedule(editor.Config.Schedule);
        var batch = VideoEditData.Clips(6, 0, 1, 3, editor.Config.ImageSize);

        Assert.Equal([1L, 2, 2, 16, 16], batch.Forward.shape);
        manual_seed(37);
        var loss = VideoEditTraining.ClipLoss(editor, null, reference, schedule, batch, new VideoEditRecipe(), maskedMotion: true);
        loss.backward();

        // the zero-initialised output projections receive gradient through the warped neighbours
        Assert.Contains(reference.named_parameters(), p => p.name.Contains("proj_out", StringComparison.Ordinal) && p.parameter.grad!.abs().sum().item<float>() > 0);
    }
}
