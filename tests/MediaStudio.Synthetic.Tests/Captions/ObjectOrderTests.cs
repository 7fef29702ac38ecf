using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Tests.Captions;

public sealed class ObjectOrderTests
{
    [Fact]
    public void Arrange_Reading_GivesTopLeftCentreRightBottomWhateverTheInputOrder()
    {
        Region[] input = [Region.Bottom, Region.Centre, Region.Right, Region.Top, Region.Left];

        var arranged = ObjectOrdering.Arrange(input, r => r, ObjectOrder.Reading, WorldRandom.For(1, "test"));

        Assert.Equal([Region.Top, Region.Left, Region.Centre, Region.Right, Region.Bottom], arranged);
    }

    [Fact]
    public void Caption_ReadingOrder_ParsesBackAndListsObjectsInTheSameOrderWhateverTheWording()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var label = SceneSampler.Sample(seed).Label;
            var first = Captioner.Caption(label, WorldRandom.For(seed, "a"), ObjectOrder.Reading);
            var second = Captioner.Caption(label, WorldRandom.For(seed, "b"), ObjectOrder.Reading);

            Assert.Equal(label.ToJson(), CaptionParser.Parse(first).ToJson());
            Assert.Equal(ShapeOrder(label, first), ShapeOrder(label, second));
        }
    }

    [Fact]
    public void ClipCaption_ReadingOrder_ParsesBackWithEveryMotion()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var spec = ClipSampler.Sample(seed);
            var parsed = ClipCaptionParser.Parse(ClipCaptioner.Caption(spec, WorldRandom.For(seed, "c"), ObjectOrder.Reading));

            Assert.Equal(spec.Scene.Label.ToJson(), parsed.Scene.ToJson());
            Assert.Equal(ClipCaptioner.Motions(spec), [.. spec.Scene.Label.Objects.Select(o => parsed.Motions[o.Region])]);
        }
    }

    // where in the caption each object's shape is first named (by any of its synonyms), as the objects' order
    private static List<int> ShapeOrder(SceneLabel label, string caption)
    {
        var lower = caption.ToLowerInvariant();
        return [.. label.Objects
            .Select((o, k) => (k, at: Phrases.Shapes[o.Shape].Select(w => lower.IndexOf(w, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(int.MaxValue).Min()))
            .OrderBy(p => p.at)
            .Select(p => p.k)];
    }
}
