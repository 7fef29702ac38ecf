using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Pipelines;

/// <summary>How far apart one kind of prompt word (place, colour, shape, size) keeps the text states that condition the
/// UNet: a UNet cannot follow a word whose states it is handed almost unchanged.</summary>
/// <param name="Group">The kind of word.</param>
/// <param name="Words">The words swapped into <see cref="PromptWordSeparation.Template"/>.</param>
/// <param name="EmbeddingCosine">Mean pairwise cosine of the words' input token embeddings (0 for unrelated directions).</param>
/// <param name="StateCosine">Mean pairwise cosine of the prompts' text states, averaged over the word's position and every
/// later one up to the end token (1: the word changes nothing the UNet sees).</param>
/// <param name="EndCosine">The same at the end token, the state a CLIP tower pools.</param>
public sealed record WordSeparation(
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("words")] IReadOnlyList<string> Words,
    [property: JsonPropertyName("embedding_cosine")] double EmbeddingCosine,
    [property: JsonPropertyName("state_cosine")] double StateCosine,
    [property: JsonPropertyName("end_cosine")] double EndCosine);

/// <summary>Measures <see cref="WordSeparation"/> for the pipeline's text tower (the one the UNet is conditioned on).</summary>
public static class PromptWordSeparation
{
    /// <summary>The prompt each group's words are swapped into, one word at a time.</summary>
    public const string Template = "a big red circle at the left on a solid gray background";

    /// <summary>The groups: name, the template's word that is swapped, the words.</summary>
    public static readonly IReadOnlyList<(string Group, string Slot, string[] Words)> Groups =
    [
        ("place", "left", ["left", "right", "top", "bottom", "middle"]),
        ("colour", "red", ["red", "blue", "green", "yellow", "white"]),
        ("shape", "circle", ["circle", "square", "triangle", "star", "heart"]),
        ("size", "big", ["big", "small", "tiny", "medium", "large"]),
    ];

    /// <summary>Measures every group.</summary>
    /// <param name="pipeline">The loaded pipeline.</param>
    /// <returns>One row per group, in <see cref="Groups"/> order.</returns>
    public static IReadOnlyList<WordSeparation> Measure(TextToImagePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var tokenizer = pipeline.Clip.Tokenizer ?? throw new InvalidOperationException("the pipeline's CLIP model has no tokenizer");
        var template = Template.Split(' ');
        return [.. Groups.Select(g => Measure(pipeline, tokenizer, template, g.Group, Array.IndexOf(template, g.Slot), g.Words))];
    }

    private static WordSeparation Measure(TextToImagePipeline pipeline, Clip.ClipTokenizer tokenizer, string[] template, string group, int slot, string[] words)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var prompts = words.Select(w => string.Join(' ', template.Select((t, i) => i == slot ? w : t))).ToList();
        var states = pipeline.EncodePrompts(prompts);                                          // (N, T, D)
        var end = (int)Math.Min(template.Length + 1, states.shape[1] - 1);                    // <bos> is 0; a short context truncates the words
        var first = Math.Min(slot + 1, end);
        var perPosition = Enumerable.Range(first, end - first + 1).Select(p => MeanPairwiseCosine(states.select(1, p))).ToList();
        var ids = tensor(words.Select(w => (long)tokenizer.Encode(w)[1]).ToArray(), device: states.device);
        var embeddings = pipeline.Clip.TextModel.TokenEmbedding.forward(ids);                  // (N, D)
        return new WordSeparation(group, words, MeanPairwiseCosine(embeddings), perPosition.Average(), perPosition[^1]);
    }

    // (N, D) -> the mean cosine over the N (N - 1) ordered pairs
    private static double MeanPairwiseCosine(Tensor rows)
    {
        var n = rows.shape[0];
        var unit = nn.functional.normalize(rows, dim: 1);
        var cosines = unit.matmul(unit.t());
        return (cosines.sum().item<float>() - cosines.diagonal().sum().item<float>()) / (n * (n - 1));
    }
}
