using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Metrics;
using MediaStudio.Synthetic.Tests.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Synthetic.Tests.Clips;

public sealed class ClipRendererTests
{
    [Fact]
    public void Render_SameSeed_GivesByteIdenticalFramesAndFlow()
    {
        var a = ClipRenderer.Render(ClipSampler.Sample(5));
        var b = ClipRenderer.Render(ClipSampler.Sample(5));

        Assert.Equal(a.Frames.Count, b.Frames.Count);
        for (var t = 0; t < a.Frames.Count; t++)
        {
            Assert.Equal(a.Frames[t].Pixels, b.Frames[t].Pixels);
            Assert.Equal(a.InstanceMasks[t], b.InstanceMasks[t]);
            Assert.Equal(a.Edit.Frames[t].Pixels, b.Edit.Frames[t].Pixels);
        }

        Assert.Equal(a.ForwardFlow[^1].Dx, b.ForwardFlow[^1].Dx);
        Assert.Equal(a.BackwardFlow[0].Dy, b.BackwardFlow[0].Dy);
    }

    [Fact]
    public void Sample_ManySeeds_FrameCountsSpan8To32()
    {
        var counts = Enumerable.Range(0, 200).Select(s => ClipSampler.Sample(s).FrameCount).ToList();

        Assert.Equal(8, counts.Min());
        Assert.Equal(32, counts.Max());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Warp_NextFrameWithGroundTruthFlow_ReproducesFrameOutsideOcclusions(int seed)
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(seed, frameCount: 12));

        for (var t = 0; t + 1 < clip.Frames.Count; t++)
        {
            var warped = ClipRenderer.Warp(clip.Frames[t + 1], clip.ForwardFlow[t]);
            var psnr = ImageMetrics.Psnr(clip.Frames[t], warped, clip.Occlusions[t], inside: false);

            Assert.True(psnr >= 30, $"seed {seed}, frame {t}: {psnr:F1} dB");
        }
    }

    [Fact]
    public void Render_Clips_ContainOcclusionAndMotion()
    {
        var occludedFraction = Enumerable.Range(0, 10)
            .Select(s => ClipRenderer.Render(ClipSampler.Sample(s, frameCount: 10)))
            .Average(c => c.Occlusions.Average(o => o.Count(v => v != 0) / (double)o.Length));

        Assert.InRange(occludedFraction, 0.001, 0.5);
    }

    [Fact]
    public void ForwardAndBackwardFlow_AtVisiblePixels_CancelOut()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(8, frameCount: 10));
        for (var t = 0; t + 1 < clip.Frames.Count; t++)
        {
            var (fwd, bwd, occ) = (clip.ForwardFlow[t], clip.BackwardFlow[t], clip.Occlusions[t]);
            for (var i = 0; i < occ.Length; i++)
            {
                if (occ[i] != 0)
                {
                    continue;
                }

                var tx = (int)Math.Round((i % 64) + fwd.Dx[i]);
                var ty = (int)Math.Round((i / 64) + fwd.Dy[i]);
                var j = (ty * 64) + tx;

                // rounding to the nearest target pixel leaves at most about a pixel of mismatch
                Assert.InRange(fwd.Dx[i] + bwd.Dx[j], -1.5, 1.5);
                Assert.InRange(fwd.Dy[i] + bwd.Dy[j], -1.5, 1.5);
            }
        }
    }

    [Fact]
    public void Render_InstanceMasks_MatchRenderedPixels()
    {
        for (var seed = 0; seed < 6; seed++)
        {
            var clip = ClipRenderer.Render(ClipSampler.Sample(seed, frameCount: 8));
            var objects = clip.Spec.Scene.Label.Objects;
            for (var t = 0; t < clip.Frames.Count; t++)
            {
                for (var k = 0; k < objects.Count; k++)
                {
                    if (objects[k].Texture != Texture.None)
                    {
                        continue;
                    }

                    var (r, g, b) = Palette.Rgb(objects[k].Color);
                    foreach (var (x, y) in SceneRenderingTests.InteriorPixels(clip.InstanceMasks[t], (byte)(k + 1)))
                    {
                        var o = clip.Frames[t].Offset(x, y);
                        Assert.Equal([r, g, b], clip.Frames[t].Pixels[o..(o + 3)]);
                    }
                }
            }
        }
    }

    [Fact]
    public void Render_Edit_ChangesOnlyTheEditedObject()
    {
        var clip = ClipRenderer.Render(ClipSampler.Sample(9, frameCount: 8));
        var id = (byte)(clip.Edit.ObjectIndex + 1);
        for (var t = 0; t < clip.Frames.Count; t++)
        {
            var region = new byte[64 * 64];
            for (var i = 0; i < region.Length; i++)
            {
                // the edited object's pixels in either render, grown by one pixel for anti-aliased edges
                region[i] = (byte)(Near(clip.InstanceMasks[t], i, id) || Near(clip.Edit.InstanceMasks[t], i, id) ? 1 : 0);
            }

            Assert.True(double.IsPositiveInfinity(ImageMetrics.Psnr(clip.Frames[t], clip.Edit.Frames[t], region, inside: false)));
        }

        Assert.NotEqual(clip.Frames[0].Pixels, clip.Edit.Frames[0].Pixels);
        Assert.NotEqual(clip.Spec.Scene.Label.Objects[clip.Edit.ObjectIndex].Shape, clip.Edit.Replacement.Shape);
    }

    private static bool Near(byte[] mask, int i, byte id)
    {
        var (x, y) = (i % 64, i / 64);
        for (var dy = -2; dy <= 2; dy++)
        {
            for (var dx = -2; dx <= 2; dx++)
            {
                var (nx, ny) = (x + dx, y + dy);
                if (nx is >= 0 and < 64 && ny is >= 0 and < 64 && mask[(ny * 64) + nx] == id)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
