using MediaStudio.Diffusion.Negatives;
using MediaStudio.Neural.Checkpoints;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Negatives;

[Collection(NativeTestGroup.Name)]
public sealed class NegativeEmbeddingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("negatives-").FullName;

    [Fact]
    public void Save_ThenLoad_GivesTheSameStatesAndCard()
    {
        using var saved = Make("calm", randn(6, 8));
        saved.Save(_root);

        using var loaded = NegativeEmbedding.Load(_root, "calm");

        Assert.True(loaded.States.eq(saved.States).all().item<bool>());
        Assert.Equal(saved.Card.RewardAfter, loaded.Card.RewardAfter);
        Assert.Equal(["calm"], NegativeEmbedding.List(_root).Select(c => c.Name));
    }

    [Fact]
    public void Load_AlteredTensor_FailsTheHashCheck()
    {
        using (var saved = Make("calm", randn(6, 8)))
        {
            saved.Save(_root);
        }

        var file = Path.Combine(_root, "calm", NegativeEmbedding.TensorFileName);
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(file, bytes);

        Assert.Throws<CheckpointException>(() => NegativeEmbedding.Load(_root, "calm"));
    }

    [Fact]
    public void Load_UnknownName_NamesTheKnownOnes()
    {
        using (var saved = Make("calm", randn(6, 8)))
        {
            saved.Save(_root);
        }

        var error = Assert.Throws<CheckpointException>(() => NegativeEmbedding.Load(_root, "storm"));

        Assert.Contains("calm", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("a b")]
    public void ValidateName_PathLikeOrEmpty_IsRejected(string name) =>
        Assert.Throws<ArgumentException>(() => NegativeEmbedding.ValidateName(name));

    [Fact]
    public void Constructor_TensorDisagreesWithCard_IsRejected() =>
        Assert.Throws<ArgumentException>(() => new NegativeEmbedding(zeros(5, 8), new NegativeEmbeddingCard { Name = "x", Tokens = 6, Width = 8 }));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static NegativeEmbedding Make(string name, Tensor states) =>
        new(states, new NegativeEmbeddingCard { Name = name, Tokens = (int)states.shape[0], Width = (int)states.shape[1], RewardBefore = 0.1, RewardAfter = 0.4 });
}
