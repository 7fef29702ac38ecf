using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Tests.Clip;
using MediaStudio.Diffusion.Training;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Synthetic.Metrics;
using MediaStudio.Synthetic.Recognition;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Pipelines;

/// <summary>The ceiling <c>eval t2i</c> prints beside its scores: true renders of the held-out prompts, read directly and
/// after a round trip through the bundled autoencoder.</summary>
[Collection(NativeTestGroup.Name)]
public sealed class AdherenceCeilingTests
{
    [Fact]
    public void TrueRendersAndRoundTrip_BundledModels_ReadAsTheirPromptsAndKeepTheImage()
    {
        var prompts = TextToImageData.HeldOutPrompts(24, singleObject: true);
        using var pipeline = TextToImagePipeline.Load(BundledClipTests.ModelsFolder, CPU);
        using var recognizer = ModelFolder.FromPretrained<SceneRecognizer, RecognizerConfig>(Path.Combine(BundledClipTests.ModelsFolder, "recognizer"), c => new SceneRecognizer(c));

        var renders = TextToImageEvaluation.TrueRenders(prompts);
        var roundTrip = TextToImageEvaluation.RoundTrip(pipeline, renders);
        var read = AdherenceSummary.From([.. PromptAdherence.Score(recognizer, renders, [.. prompts.Select(p => p.Label)])]);

        Assert.Equal(24, roundTrip.Count);
        Assert.All(roundTrip, image => Assert.Equal((64, 64), (image.Width, image.Height)));
        Assert.InRange(read.AllCorrect, 0.8, 1.0);
        Assert.All(renders.Zip(roundTrip), pair => Assert.InRange(ImageMetrics.Psnr(pair.First, pair.Second), 18, 99));
    }
}
