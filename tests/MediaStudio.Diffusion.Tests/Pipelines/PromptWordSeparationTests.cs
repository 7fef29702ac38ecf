using MediaStudio.Diffusion.Pipelines;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Pipelines;

/// <summary><c>eval prompt-words</c>: how far apart the text tower keeps each kind of prompt word.</summary>
[Collection(NativeTestGroup.Name)]
public sealed class PromptWordSeparationTests
{
    [Fact]
    public void Measure_TinyPipeline_GivesEveryGroupCosinesThatMatchTheWeights()
    {
        using var pipeline = TinyPipeline.Create();

        var rows = PromptWordSeparation.Measure(pipeline);

        Assert.Equal(PromptWordSeparation.Groups.Select(g => g.Group), rows.Select(r => r.Group));
        Assert.All(rows, r =>
        {
            Assert.InRange(r.EmbeddingCosine, -1, 1);
            Assert.InRange(r.StateCosine, -1, 1 + 1e-6);
            Assert.InRange(r.EndCosine, -1, 1 + 1e-6);
            Assert.True(r.StateCosine < 1 - 1e-6, $"swapping a {r.Group} word must change a random tower's states");
        });

        // the embedding cosine by hand for the place words
        using var noGrad = no_grad();
        var tokenizer = pipeline.Clip.Tokenizer!;
        var words = PromptWordSeparation.Groups[0].Words;
        var weight = pipeline.Clip.TextModel.named_parameters().Single(p => p.name == "token_embedding.weight").parameter;
        var vectors = words.Select(w => weight[tokenizer.Encode(w)[1]]).ToList();
        var sum = 0.0;
        foreach (var a in vectors)
        {
            foreach (var b in vectors.Where(b => !ReferenceEquals(a, b)))
            {
                sum += (a.dot(b) / (a.norm() * b.norm())).item<float>();
            }
        }

        Assert.Equal(sum / (words.Length * (words.Length - 1)), rows[0].EmbeddingCosine, 1e-5);
    }
}
