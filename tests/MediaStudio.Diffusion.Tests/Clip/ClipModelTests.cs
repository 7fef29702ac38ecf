using MediaStudio.Diffusion.Clip;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Synthetic.Recognition;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Clip;

[Collection(NativeTestGroup.Name)]
public sealed class ClipModelTests
{
    [Fact]
    public void EncodePromptTokens_Prompts_ReturnsTokenStatesOfContextByWidth()
    {
        using var model = ClipFixtures.TinyModel();
        model.eval();

        using var states = model.EncodePromptTokens(["ba bb", "bc", ""]);

        Assert.Equal([3L, 12, 16], states.shape);
        Assert.False(states.requires_grad);
    }

    [Fact]
    public void Forward_TinyBatch_NormalisedEmbeddingsAndScaledLogits()
    {
        using var model = ClipFixtures.TinyModel(attributeLogits: AttributeHeads.TotalLogits);
        model.eval();
        var (images, prompts) = ClipFixtures.Batch(4);
        using var ids = model.Tokenizer!.EncodeBatch(prompts);
        using var guard = no_grad();

        using var output = model.forward(images, ids);

        Assert.Equal([4L, 4], output.LogitsPerImage.shape);
        Assert.True(output.ImageEmbeds.norm(1).allclose(ones(4), atol: 1e-5));
        Assert.Equal(1 / 0.07, model.LogitScale, 3);
        Assert.Equal([4L, AttributeHeads.TotalLogits], output.TextAttributeLogits!.shape);
        Assert.True(output.LogitsPerImage.allclose(output.ImageEmbeds.matmul(output.TextEmbeds.t()) * (1 / 0.07), atol: 1e-4));
    }

    [Fact]
    public void SaveThenFromPretrained_TinyModel_SameOutputsAndTokenizer()
    {
        var folder = ClipFixtures.TempFolder();
        using var model = ClipFixtures.TinyModel();
        model.eval();
        var (images, prompts) = ClipFixtures.Batch(3);
        using var ids = model.Tokenizer!.EncodeBatch(prompts);
        using var guard = no_grad();
        using var expected = model.forward(images, ids);

        model.Save(folder);
        using var loaded = ClipModel.FromPretrained(folder);
        using var actual = loaded.forward(images, ids);

        Assert.True(actual.LogitsPerImage.equal(expected.LogitsPerImage).all().item<bool>());
        Assert.Equal(model.Tokenizer.Tokens, loaded.Tokenizer!.Tokens);
        Assert.Equal(3, Sha256Manifest.Read(folder).Count);
    }

    [Fact]
    public void FromPretrained_AlteredVocab_ThrowsShaMismatch()
    {
        var folder = ClipFixtures.TempFolder();
        using var model = ClipFixtures.TinyModel();
        model.Save(folder);
        var vocab = Path.Combine(folder, ClipTokenizer.VocabFileName);
        File.WriteAllText(vocab, File.ReadAllText(vocab).Replace("\"ba\"", "\"zz\"", StringComparison.Ordinal));

        var error = Assert.Throws<CheckpointException>(() => ClipModel.FromPretrained(folder));

        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StateDict_TinyConfig_MatchesApprovedShapes()
    {
        using var model = ClipFixtures.TinyModel(attributeLogits: 10);

        Approval.Verify("ClipModel_Tiny", Approval.Describe(model));
    }

    [Fact]
    public void StateDict_ShippedConfig_MatchesApprovedShapes()
    {
        var tokenizer = new ClipTokenizer(Enumerable.Range(0, 122).Select(i => $"w{i}"), 56);
        using var model = new ClipModel(ClipTraining.DefaultConfig(tokenizer));

        Approval.Verify("ClipModel_Shipped", Approval.Describe(model));
    }
}
