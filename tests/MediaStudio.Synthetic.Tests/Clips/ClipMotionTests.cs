using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Clips;

namespace MediaStudio.Synthetic.Tests.Clips;

public sealed class ClipMotionTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    [InlineData(16)]
    public void Sample_Clear_KeepsEveryChangeAwayFromItsCaptionThreshold(int side)
    {
        for (var seed = 0; seed < 400; seed++)
        {
            var spec = ClipSampler.Sample(seed, side, side, motion: ClipMotion.Clear);
            for (var k = 0; k < spec.Tracks.Count; k++)
            {
                var (start, end) = (spec.Tracks[k].Start, spec.Tracks[k].End);
                var (dx, dy) = (Math.Abs(end.X - start.X - spec.PanX) / spec.Width, Math.Abs(end.Y - start.Y - spec.PanY) / spec.Height);
                var (ratio, turn) = (end.Radius / start.Radius, Math.Abs(end.Rotation - start.Rotation));
                Assert.True(dx <= ClipSampler.ClearStill + 1e-9 || dx >= ClipSampler.ClearMove - 1e-9, $"seed {seed}, object {k}: |dx| = {dx:F3} W");
                Assert.True(dy <= ClipSampler.ClearStill + 1e-9 || dy >= ClipSampler.ClearMove - 1e-9, $"seed {seed}, object {k}: |dy| = {dy:F3} H");
                Assert.True(ratio is <= 0.8 or (>= 0.94 and <= 1.06) or >= 1.25, $"seed {seed}, object {k}: ratio {ratio:F3}");
                Assert.True(turn is <= 0.15 or >= 0.75, $"seed {seed}, object {k}: turn {turn:F3}");
                Assert.InRange(end.X, 0.1 * spec.Width, 0.9 * spec.Width);
                Assert.InRange(end.Y, 0.1 * spec.Height, 0.9 * spec.Height);
            }
        }
    }

    [Fact]
    public void Sample_Clear_DrawsTheSameSceneEditAndPanAsAny()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var (any, clear) = (ClipSampler.Sample(seed), ClipSampler.Sample(seed, motion: ClipMotion.Clear));

            Assert.Equal(any.Scene.Label.ToJson(), clear.Scene.Label.ToJson());
            Assert.Equal((any.FrameCount, any.PanX, any.PanY, any.EditedObject, any.Replacement), (clear.FrameCount, clear.PanX, clear.PanY, clear.EditedObject, clear.Replacement));
            Assert.Equal(any.Tracks.Select(t => (t.Start, t.Swing)), clear.Tracks.Select(t => (t.Start, t.Swing)));
        }
    }

    [Fact]
    public void Sample_ClearManyClips_CoversEveryMotionOfEachPart()
    {
        var motions = Enumerable.Range(0, 300).SelectMany(seed => ClipCaptioner.Motions(ClipSampler.Sample(seed, motion: ClipMotion.Clear))).ToList();

        foreach (var value in new[] { -1, 0, 1 })
        {
            Assert.Contains(motions, m => m.Horizontal == value);
            Assert.Contains(motions, m => m.Vertical == value);
            Assert.Contains(motions, m => m.Scale == value);
            Assert.Contains(motions, m => m.Rotation == value);
        }
    }
}
