using MediaStudio.Jobs.Captions;
using MediaStudio.Language.Captioning;
using MediaStudio.Language.Tokenization;
using MediaStudio.Language.Training;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Scenes;
using static TorchSharp.torch;

namespace MediaStudio.Tests.Shared;

/// <summary>A real captioner model folder made by the captioner's own code path, as <c>mediastudio train tokenizer</c>
/// and <c>train captioner --steps 2</c> run it, on a small corpus: quick to write, loaded like the bundled one.</summary>
public static class TinyCaptioner
{
    /// <summary>Writes <c>captioner-student</c> (and its <c>tokenizer</c>) under <paramref name="modelsRoot"/>.</summary>
    public static void Write(string modelsRoot)
    {
        var tokenizerFolder = Path.Combine(modelsRoot, "tokenizer");
        var corpus = Enumerable.Range(0, 60).SelectMany(seed => Captioner.Captions(SceneSampler.Sample(seed).Label, seed, 2)).ToList();
        var (vocab, merges) = BpeTrainer.Train(corpus, 320);
        BpeTrainer.Save(tokenizerFolder, vocab, merges);
        var tokenizer = CaptionTokenizer.Load(tokenizerFolder);
        manual_seed(21);
        using var model = CaptionerModel.FromConfig(CaptionerConfig.Student(tokenizer.VocabSize));
        CaptionerTraining.Train(model, tokenizer, CaptionerTraining.Recipe(steps: 2, batchSize: 2, seed: 21), images: 2, checkpointPath: null, progress: null, CancellationToken.None);
        CaptionerFolder.Save(CaptionOptions.ModelFolder(modelsRoot), model, tokenizerFolder);
    }
}
