using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Tests.Scenes;

public sealed class SceneSamplerTests
{
    [Fact]
    public void Sample_SameSeed_GivesByteIdenticalLabelAndImage()
    {
        var options = new SceneSamplerOptions { DegradationRate = 0.5 };
        for (var seed = 0; seed < 20; seed++)
        {
            var a = SceneSampler.Sample(seed, options);
            var b = SceneSampler.Sample(seed, options);

            Assert.Equal(a.Label.ToJson(), b.Label.ToJson());
            Assert.Equal(SceneRendering.Render(a).Pixels, SceneRendering.Render(b).Pixels);
        }
    }

    [Fact]
    public void Sample_DifferentSeeds_GiveDifferentScenes()
    {
        var labels = Enumerable.Range(0, 50).Select(s => SceneSampler.Sample(s).Label.ToJson()).Distinct().Count();

        Assert.True(labels >= 48, $"only {labels} distinct labels in 50 seeds");
    }

    [Fact]
    public void Sample_ManySeeds_ReachesEveryAttributeValue()
    {
        var options = new SceneSamplerOptions { DegradationRate = 0.5 };
        var samples = Enumerable.Range(0, 3000).Select(s => SceneSampler.Sample(s, options).Label).ToList();
        var objects = samples.SelectMany(l => l.Objects).ToList();

        Assert.Equal(Enum.GetValues<Shape>(), objects.Select(o => o.Shape).Distinct().Order());
        Assert.Equal(Enum.GetValues<NamedColor>(), objects.Select(o => o.Color).Distinct().Order());
        Assert.Equal(Enum.GetValues<SizeClass>(), objects.Select(o => o.Size).Distinct().Order());
        Assert.Equal(Enum.GetValues<Region>(), objects.Select(o => o.Region).Distinct().Order());
        Assert.Equal(Enum.GetValues<Texture>(), objects.Select(o => o.Texture).Distinct().Order());
        Assert.Equal(Enum.GetValues<BackgroundKind>(), samples.Select(l => l.Background.Kind).Distinct().Order());
        Assert.Equal(Enum.GetValues<NamedColor>(), samples.Select(l => l.Background.Color).Distinct().Order());
        Assert.Equal(Enum.GetValues<RelationKind>(), samples.Where(l => l.Relation is not null).Select(l => l.Relation!.Kind).Distinct().Order());
        Assert.Equal(Enum.GetValues<DegradationKind>(), samples.SelectMany(l => l.Degradations).Select(d => d.Kind).Distinct().Order());
        Assert.Equal([1, 2, 3], samples.Select(l => l.Objects.Count).Distinct().Order());
    }

    [Fact]
    public void Sample_Always_ObjectColoursDifferFromBackground()
    {
        for (var seed = 0; seed < 500; seed++)
        {
            var label = SceneSampler.Sample(seed).Label;

            Assert.All(label.Objects, o => Assert.True(o.Color != label.Background.Color && o.Color != label.Background.SecondColor));
        }
    }

    [Fact]
    public void FromJson_ToJson_RoundTrips()
    {
        var label = SceneSampler.Sample(11, new SceneSamplerOptions { DegradationRate = 1 }).Label;

        Assert.Equal(label.ToJson(), SceneLabel.FromJson(label.ToJson()).ToJson());
    }
}
