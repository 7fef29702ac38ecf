using MediaStudio.Synthetic.Metrics;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Tests.Scenes;

public sealed class BackgroundColourOrderTests
{
    [Fact]
    public void Render_SwappedNoiseColours_LookAlike()
    {
        var (ab, ba) = RenderBothOrders(BackgroundKind.Noise, seed: 11);

        Assert.False(new BackgroundSpec(BackgroundKind.Noise, NamedColor.Red, NamedColor.Blue).ColourOrderVisible);
        Assert.True(ColorHistogram.Distance(ab, ba) < 0.15, $"histogram distance {ColorHistogram.Distance(ab, ba)}");
    }

    [Fact]
    public void Render_NoiseBackground_ShowsEachColourPureOverALargeArea()
    {
        // a mottled field must show both named colours, not mostly their blend: the recognizer and every caption
        // reader can only name a colour that appears
        var label = new SceneLabel(new BackgroundSpec(BackgroundKind.Noise, NamedColor.Red, NamedColor.Blue), [], null, []);
        var red = Palette.Rgb(NamedColor.Red);
        var blue = Palette.Rgb(NamedColor.Blue);
        var shares = Enumerable.Range(0, 40).Select(seed =>
        {
            var image = SceneRendering.Render(new SceneSample(seed, label));
            var pixels = image.Pixels.Chunk(3).ToList();
            double Share((byte R, byte G, byte B) c) => pixels.Count(p => Math.Abs(p[0] - c.R) + Math.Abs(p[1] - c.G) + Math.Abs(p[2] - c.B) < 24) / (double)pixels.Count;
            return Math.Min(Share(red), Share(blue));
        }).ToList();

        Assert.True(shares.Average() > 0.2, $"mean share of the rarer pure colour {shares.Average():P1}");
        Assert.True(shares.Count(s => s < 0.05) <= 2, $"{shares.Count(s => s < 0.05)} of 40 renders show one colour on under 5% of pixels");
    }

    [Theory]
    [InlineData(BackgroundKind.Gradient)]
    [InlineData(BackgroundKind.Stripes)]
    [InlineData(BackgroundKind.Checker)]
    public void Render_SwappedColoursOfOrderedKind_DifferInPlace(BackgroundKind kind)
    {
        var (ab, ba) = RenderBothOrders(kind, seed: 11);
        var differing = ab.Pixels.Zip(ba.Pixels).Count(p => Math.Abs(p.First - p.Second) > 40);

        Assert.True(new BackgroundSpec(kind, NamedColor.Red, NamedColor.Blue).ColourOrderVisible);
        Assert.True(differing > ab.Pixels.Length / 4, $"{kind}: only {differing} of {ab.Pixels.Length} channel values differ");
    }

    [Fact]
    public void MatchColours_SwappedPair_MatchesOnlyWhereOrderIsInvisible()
    {
        var noise = new BackgroundSpec(BackgroundKind.Noise, NamedColor.Red, NamedColor.Blue);
        var gradient = noise with { Kind = BackgroundKind.Gradient };

        Assert.Equal((true, true), noise.MatchColours(noise with { Color = NamedColor.Blue, SecondColor = NamedColor.Red }));
        Assert.Equal((false, false), gradient.MatchColours(gradient with { Color = NamedColor.Blue, SecondColor = NamedColor.Red }));
        Assert.Equal((true, false), noise.MatchColours(noise with { SecondColor = NamedColor.Green }));
    }

    private static (Media.Images.RgbImage Ab, Media.Images.RgbImage Ba) RenderBothOrders(BackgroundKind kind, long seed)
    {
        var label = new SceneLabel(new BackgroundSpec(kind, NamedColor.Red, NamedColor.Blue), [], null, []);
        var swapped = label with { Background = label.Background with { Color = NamedColor.Blue, SecondColor = NamedColor.Red } };
        return (SceneRendering.Render(new SceneSample(seed, label)), SceneRendering.Render(new SceneSample(seed, swapped)));
    }
}
