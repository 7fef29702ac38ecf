using MediaStudio.Diffusion.Clip;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;

namespace MediaStudio.Diffusion.Tests.Clip;

[Collection(NativeTestGroup.Name)]
public sealed class ClipTokenizerTests
{
    private static readonly ClipTokenizer World = ClipTokenizer.BuildFromWorld(56, scenes: 300);

    [Fact]
    public void Encode_WorldCaptions_DecodeGivesTheLowercasedCaptionBackWithoutUnknowns()
    {
        var options = new SceneSamplerOptions { DegradationRate = 0.5 };
        for (var seed = 10_000; seed < 10_100; seed++)
        {
            var caption = Captioner.Caption(SceneSampler.Sample(seed, options).Label, WorldRandom.For(seed, "test"));
            if (ClipTokenizer.CountTokens(caption) > World.ContextLength)
            {
                continue;
            }

            var ids = World.Encode(caption);

            Assert.DoesNotContain(ClipTokenizer.UnkId, ids);
            Assert.Equal(caption.ToLowerInvariant(), World.Decode(ids));
        }
    }

    [Fact]
    public void Encode_UnknownWords_MapToUnk()
    {
        var ids = World.Encode("a red zebra on a plain blue background");

        Assert.Equal(ClipTokenizer.UnkId, ids[3]);
        Assert.Equal(World.IdOf("red"), ids[2]);
        Assert.NotEqual(ClipTokenizer.UnkId, ids[2]);
    }

    [Fact]
    public void Encode_ShortText_HasBosWordsEosThenPadding()
    {
        var ids = World.Encode("A red circle.");

        Assert.Equal(World.ContextLength, ids.Length);
        Assert.Equal(ClipTokenizer.BosId, ids[0]);
        Assert.Equal([World.IdOf("a"), World.IdOf("red"), World.IdOf("circle"), World.IdOf(".")], ids[1..5]);
        Assert.Equal(ClipTokenizer.EosId, ids[5]);
        Assert.All(ids[6..], id => Assert.Equal(ClipTokenizer.PadId, id));
    }

    [Fact]
    public void Encode_HundredKilobytePrompt_TruncatesToContextWithEosLast()
    {
        var prompt = string.Concat(Enumerable.Repeat("a small red circle on the left, ", 100_000 / 32 + 1));
        Assert.True(prompt.Length >= 100_000);

        var ids = World.Encode(prompt);
        using var batch = World.EncodeBatch([prompt, "a star"]);

        Assert.Equal(World.ContextLength, ids.Length);
        Assert.Equal(ClipTokenizer.BosId, ids[0]);
        Assert.Equal(ClipTokenizer.EosId, ids[^1]);
        Assert.DoesNotContain(ClipTokenizer.PadId, ids);
        Assert.Equal([2L, World.ContextLength], batch.shape);
    }

    [Fact]
    public void Split_PunctuationAndCase_AreSeparatePieces()
    {
        Assert.Equal(["a", "five", "-", "pointed", "star", ",", "blurred"], ClipTokenizer.Split("A five-pointed STAR, blurred"));
    }

    [Fact]
    public void BuildFromWorld_SameArguments_SameVocabularyWithSpecialsFirst()
    {
        var again = ClipTokenizer.BuildFromWorld(56, scenes: 300);

        Assert.Equal(World.Tokens, again.Tokens);
        Assert.Equal(["<pad>", "<bos>", "<eos>", "<unk>"], World.Tokens.Take(4));
        Assert.Contains("turquoise", World.Tokens);
    }
}
