using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Rendering;

namespace MediaStudio.Synthetic.Scenes;

/// <summary>Renders scene samples to images: the clean render, then the label's degradations.</summary>
public static class SceneRendering
{
    /// <summary>Renders the scene's clean image and instance map (instance ids follow <see cref="SceneLayout.Place"/>'s order).</summary>
    public static RenderedFrame RenderClean(SceneSample sample, int width = 64, int height = 64)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var placed = SceneLayout.Place(sample, width, height);
        return SceneRenderer.Render(width, height, sample.Label.Background, BackgroundStyle.FromSeed(sample.Seed), 0, 0, placed);
    }

    /// <summary>Renders the scene as its label describes it, degradations included.</summary>
    public static RgbImage Render(SceneSample sample, int width = 64, int height = 64) => RenderFrame(sample, width, height).Image;

    /// <summary>Renders the scene as <see cref="Render"/> does, with the clean render's instance map (degradations move no object).</summary>
    public static RenderedFrame RenderFrame(SceneSample sample, int width = 64, int height = 64)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var clean = RenderClean(sample, width, height);
        return clean with { Image = Degrader.Apply(clean.Image, sample.Label.Degradations, sample.Seed) };
    }
}
