using MediaStudio.Language.Captioning;
using MediaStudio.Language.Llama;
using MediaStudio.Language.Tokenization;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Recognition;
using MediaStudio.Synthetic.Scenes;

namespace MediaStudio.Language.Tests;

/// <summary>Tiny configs and a small trained tokenizer shared by the tests.</summary>
internal static class TestModels
{
    private static readonly Lazy<string> TokenizerFolder = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), "lang-test-tokenizer-" + Environment.ProcessId);
        var corpus = Enumerable.Range(0, 150).SelectMany(s => Captioner.Captions(SceneSampler.Sample(s).Label, s, 2))
            .Concat(Enumerable.Range(0, 60).SelectMany(s => ClipCaptioner.Captions(ClipSampler.Sample(s), s, 2)));
        var (vocab, merges) = BpeTrainer.Train(corpus, 384);
        BpeTrainer.Save(folder, vocab, merges);
        return folder;
    });

    static TestModels() => MediaStudio.Neural.Runtime.TorchRuntime.SetThreads(1); // the suite runs beside other work on 2 cores

    public static string TokenizerPath => TokenizerFolder.Value;

    public static CaptionTokenizer Tokenizer() => CaptionTokenizer.Load(TokenizerPath);

    public static LlamaConfig TinyLlama(int vocab = 384, bool tied = true) => new()
    {
        VocabSize = vocab,
        HiddenSize = 32,
        IntermediateSize = 64,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        TieWordEmbeddings = tied,
    };

    public static MotionRecognizerConfig TinyMotion() => new()
    {
        ImageSize = 32,
        Frames = 4,
        Backbone = RecognizerConfig.Default with { InChannels = 12, EmbedDim = 8, Depths = [1, 1, 1, 1] },
    };

    public static CaptionerConfig TinyCaptioner(int vocab = 384) => new()
    {
        Size = "test",
        Text = TinyLlama(vocab) with { MaxPositionEmbeddings = 256 },
        Vision = new RecognizerConfig { ImageSize = 32, Backbone = RecognizerConfig.Default with { EmbedDim = 8, Depths = [1, 1, 1, 1] } },
        MaxCaptionTokens = 64,
    };
}
