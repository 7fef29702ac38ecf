using MediaStudio.Language.Tokenization;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Scenes;

namespace MediaStudio.Language.Tests;

public sealed class TokenizerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lang-tok-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private CaptionTokenizer Trained(int vocabSize = 400)
    {
        var corpus = Enumerable.Range(0, 200).SelectMany(s => Captioner.Captions(SceneSampler.Sample(s).Label, s, 2));
        var (vocab, merges) = BpeTrainer.Train(corpus, vocabSize);
        BpeTrainer.Save(_folder, vocab, merges);
        return CaptionTokenizer.Load(_folder);
    }

    [Theory]
    [InlineData("A small red star on the left, on a plain white background")]
    [InlineData("Ünïcödé café — naïve 日本語 🙂")]
    [InlineData("tabs\tand\nnew lines \u0001\u007f  double  spaces ")]
    public void EncodeDecode_AnyText_RoundTrips(string text)
    {
        var tokenizer = Trained();

        var ids = tokenizer.Encode(text);

        Assert.Equal(text, tokenizer.Decode(ids));
        Assert.All(ids, id => Assert.InRange(id, 0, tokenizer.VocabSize - 1));
    }

    [Fact]
    public void Encode_UnseenCharacters_FallBackToByteTokens()
    {
        var tokenizer = Trained();

        var ids = tokenizer.Encode("€");

        Assert.Equal([0xE2, 0x82, 0xAC], ids); // the three UTF-8 bytes, ids 0-255 in byte order
    }

    [Fact]
    public void Encode_CorpusWords_UseMergedTokens()
    {
        var tokenizer = Trained();

        var ids = tokenizer.Encode(" background");

        Assert.Single(ids);
        Assert.True(ids[0] >= 256);
    }

    [Fact]
    public void Encode_SpecialTokens_AreSingleIdsAtTheEnd()
    {
        var tokenizer = Trained(400);

        var ids = tokenizer.Encode(SpecialTokens.Image + "a red star" + SpecialTokens.EndOfText);

        Assert.Equal(tokenizer.Image, ids[0]);
        Assert.Equal(tokenizer.EndOfText, ids[^1]);
        Assert.Equal(400 - SpecialTokens.All.Count, SpecialTokens.All.Select(t => tokenizer.Encode(t).Single()).Min());
        Assert.Equal(400, tokenizer.VocabSize);
    }

    [Fact]
    public void Train_SameCorpusTwice_GivesTheSameMerges()
    {
        var corpus = Enumerable.Range(0, 50).Select(s => Captioner.Captions(SceneSampler.Sample(s).Label, s, 1)[0]).ToList();

        var first = BpeTrainer.Train(corpus, 320).Merges;
        var second = BpeTrainer.Train(corpus, 320).Merges;

        Assert.Equal(first, second);
        Assert.Equal(320 - 256 - SpecialTokens.All.Count, first.Count);
    }
}
