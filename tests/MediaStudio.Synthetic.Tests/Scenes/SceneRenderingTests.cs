using MediaStudio.Synthetic.Rendering;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Tests.Scenes;

public sealed class SceneRenderingTests
{
    [Fact]
    public void RenderClean_InteriorMaskPixels_HaveTheObjectColour()
    {
        var checkedPixels = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            var sample = SceneSampler.Sample(seed);
            var frame = SceneRendering.RenderClean(sample);
            var placed = SceneLayout.Place(sample, 64, 64);
            for (var k = 0; k < placed.Count; k++)
            {
                var id = (byte)(k + 1);
                Assert.True(frame.Instances.Any(v => v == id), $"seed {seed}: object {k} ({placed[k].Spec}) has no visible pixel");
                if (placed[k].Spec.Texture != Texture.None)
                {
                    continue;
                }

                var (r, g, b) = Palette.Rgb(placed[k].Spec.Color);
                foreach (var (x, y) in InteriorPixels(frame.Instances, id))
                {
                    var o = frame.Image.Offset(x, y);
                    Assert.Equal([r, g, b], frame.Image.Pixels[o..(o + 3)]);
                    checkedPixels++;
                }
            }
        }

        Assert.True(checkedPixels > 10_000, $"only {checkedPixels} interior pixels checked");
    }

    [Fact]
    public void RenderClean_BackgroundFarFromObjects_HasNoObjectInstance()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var sample = SceneSampler.Sample(seed);
            var frame = SceneRendering.RenderClean(sample);
            foreach (var placed in SceneLayout.Place(sample, 64, 64))
            {
                // a pixel well outside every object's disc is background
                var (x, y) = ((int)Math.Clamp(placed.Pose.X + (placed.Pose.Radius * 1.6) + 2, 0, 63), (int)placed.Pose.Y);
                var inside = SceneLayout.Place(sample, 64, 64).Any(p => Math.Pow(x + 0.5 - p.Pose.X, 2) + Math.Pow(y + 0.5 - p.Pose.Y, 2) < Math.Pow((p.Pose.Radius * 1.15) + 1, 2));
                if (!inside)
                {
                    Assert.Equal(0, frame.Instances[(y * 64) + x]);
                }
            }
        }
    }

    [Fact]
    public void Render_EachDegradation_ChangesTheImage()
    {
        var sample = SceneSampler.Sample(3);
        var clean = SceneRendering.Render(sample);
        foreach (var kind in Enum.GetValues<DegradationKind>())
        {
            var degraded = Degrader.Apply(clean, [new DegradationSpec(kind, kind == DegradationKind.ColorCast ? NamedColor.Blue : null)], 3);

            Assert.NotEqual(clean.Pixels, degraded.Pixels);
        }
    }

    [Fact]
    public void PreferencePair_Sample_RejectedDiffersFromChosen()
    {
        for (var seed = 0; seed < 40; seed++)
        {
            var pair = PreferencePair.Sample(seed);

            Assert.NotEqual(pair.Chosen.Pixels, pair.Rejected.Pixels);
            Assert.NotEqual(pair.PromptLabel.ToJson(), pair.RejectedLabel.ToJson());
            Assert.Equal(pair.PromptLabel.ToJson(), MediaStudio.Synthetic.Captions.CaptionParser.Parse(pair.Prompt).ToJson());
        }
    }

    internal static IEnumerable<(int X, int Y)> InteriorPixels(byte[] instances, byte id, int width = 64, int height = 64)
    {
        for (var y = 1; y < height - 1; y++)
        {
            for (var x = 1; x < width - 1; x++)
            {
                var interior = true;
                for (var dy = -1; dy <= 1 && interior; dy++)
                {
                    for (var dx = -1; dx <= 1 && interior; dx++)
                    {
                        interior = instances[((y + dy) * width) + x + dx] == id;
                    }
                }

                if (interior)
                {
                    yield return (x, y);
                }
            }
        }
    }
}
