using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Tests.Captions;

public sealed class ClipCaptionTests
{
    [Fact]
    public void Parse_EveryGeneratedClipCaption_GivesBackSceneAndMotions()
    {
        for (var seed = 0; seed < 300; seed++)
        {
            var spec = ClipSampler.Sample(seed);
            var motions = ClipCaptioner.Motions(spec);
            foreach (var caption in ClipCaptioner.Captions(spec, seed, 4))
            {
                var parsed = ClipCaptionParser.Parse(caption);
                Assert.True(spec.Scene.Label.ToJson() == parsed.Scene.ToJson(), $"seed {seed}: '{caption}'");
                for (var k = 0; k < motions.Count; k++)
                {
                    Assert.Equal(motions[k], parsed.Motions[spec.Scene.Label.Objects[k].Region]);
                }
            }
        }
    }

    [Fact]
    public void Motions_ManyClips_CoverEveryDirectionScaleAndTurn()
    {
        var motions = Enumerable.Range(0, 400).SelectMany(seed => ClipCaptioner.Motions(ClipSampler.Sample(seed))).ToList();

        foreach (var move in MotionPhrases.Moves.Keys)
        {
            Assert.Contains(motions, m => (m.Horizontal, m.Vertical) == move);
        }

        Assert.Contains(motions, m => m.Scale == 1);
        Assert.Contains(motions, m => m.Scale == -1);
        Assert.Contains(motions, m => m.Rotation == 1);
        Assert.Contains(motions, m => m.Rotation == -1);
    }

    [Fact]
    public void Parse_HandWrittenClipCaption_ReadsEachObjectsMotion()
    {
        var parsed = ClipCaptionParser.Parse(
            "A small red star on the left moves to the right and grows; a large blue circle at the top stays in place, shrinks and turns clockwise, on a plain white background");

        Assert.Equal(new ObjectMotion(1, 0, 1, 0), parsed.Motions[Region.Left]);
        Assert.Equal(new ObjectMotion(0, 0, -1, 1), parsed.Motions[Region.Top]);
        Assert.Equal(2, parsed.Scene.Objects.Count);
        Assert.Equal(BackgroundKind.Flat, parsed.Scene.Background.Kind);
    }

    [Theory]
    [InlineData("a small red star on the left on a plain white background")]
    [InlineData("a small red star on the left moves left, a large blue circle at the top, on a plain white background")]
    public void Parse_CaptionWithoutAMotionPerObject_Throws(string caption)
    {
        Assert.Throws<CaptionParseException>(() => ClipCaptionParser.Parse(caption));
    }

    [Fact]
    public void Motion_ObjectMovingRightOnScreen_IsRight()
    {
        var spec = Enumerable.Range(0, 200).Select(s => ClipSampler.Sample(s)).First(s => ClipCaptioner.Motions(s).Any(m => m.Horizontal == 1));
        var k = ClipCaptioner.Motions(spec).ToList().FindIndex(m => m.Horizontal == 1);

        var track = spec.Tracks[k];

        Assert.True(track.End.X - track.Start.X - spec.PanX >= ObjectMotion.MoveThreshold * spec.Width);
    }
}
