using System.Text.Json.Serialization;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Training;
using MediaStudio.Synthetic.Recognition;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Negatives;

/// <summary>One row of the ReNeg table: the mean reward and the adherence of one kind of unconditional input.</summary>
/// <param name="Method">null text, hand-written negative, learned global or per-prompt.</param>
/// <param name="MeanReward">Mean reward of the generations.</param>
/// <param name="AllCorrect">Fraction of generations with every attribute right (the recognizer, a held-out judge).</param>
/// <param name="PerAttribute">Adherence per attribute.</param>
public sealed record NegativesRow(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("mean_reward")] double MeanReward,
    [property: JsonPropertyName("all_correct")] double AllCorrect,
    [property: JsonPropertyName("per_attribute")] IReadOnlyDictionary<string, double> PerAttribute);

/// <summary>The result of <c>mediastudio eval negatives</c>.</summary>
public sealed record NegativesEvaluation(
    [property: JsonPropertyName("embedding")] string Embedding,
    [property: JsonPropertyName("prompts")] int Prompts,
    [property: JsonPropertyName("guidance")] double Guidance,
    [property: JsonPropertyName("hand_written_negative")] string HandWrittenNegative,
    [property: JsonPropertyName("rows")] IReadOnlyList<NegativesRow> Rows)
{
    /// <summary>The hand-written negative prompt, in the world's own words for bad pictures.</summary>
    public const string HandWritten = "a blurry, grainy, washed-out, pixelated, wrongly coloured picture";

    /// <summary>First seed of the evaluation images.</summary>
    public const long SeedBase = 8_000_000;

    /// <summary>Gets the first (up to) eight images of each row, row after row, for a sample grid.</summary>
    [JsonIgnore]
    public IReadOnlyList<Media.Images.RgbImage> Samples { get; init; } = [];

    /// <summary>Gets whether the paper's ordering holds: null &lt; hand-written &lt; global &lt; per-prompt in mean reward.</summary>
    [JsonPropertyName("ordering_holds")]
    public bool OrderingHolds => Rows.Zip(Rows.Skip(1)).All(p => p.First.MeanReward < p.Second.MeanReward);

    /// <summary>Renders held-out prompts with each unconditional input and scores them.</summary>
    /// <param name="pipeline">The loaded pipeline.</param>
    /// <param name="reward">The reward model (the training objective).</param>
    /// <param name="recognizer">The scene recognizer (a judge the embedding was not trained on).</param>
    /// <param name="embedding">The learned global embedding.</param>
    /// <param name="options">ReNeg options: sampling steps, guidance, refinement.</param>
    /// <param name="prompts">Held-out single-object prompts.</param>
    /// <param name="progress">Receives the completed fraction.</param>
    /// <param name="cancellationToken">Checked between prompts.</param>
    public static NegativesEvaluation Run(
        TextToImagePipeline pipeline, IRewardFunction reward, SceneRecognizer recognizer, NegativeEmbedding embedding, ReNegOptions options, int prompts,
        Action<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(embedding);
        pipeline.EnsureFits(embedding);
        var training = new ReNegTraining(pipeline, reward, options);
        var held = TextToImageData.HeldOutPrompts(prompts, singleObject: true);
        var texts = held.Select(p => p.Prompt).ToList();
        var labels = held.Select(p => p.Label).ToList();
        var seeds = Enumerable.Range(0, texts.Count).Select(i => SeedBase + i).ToList();
        var rows = new List<NegativesRow>();
        var samples = new List<Media.Images.RgbImage>();
        NegativesRow Row(string method, Tensor images)
        {
            using var noGrad = no_grad();
            samples.AddRange(ImageTensors.ToImages(images).Take(8));
            var rewards = reward.Score(images, texts).to(CPU).data<float>().ToArray();
            var adherence = AdherenceSummary.From(PromptAdherence.Score(recognizer, ImageTensors.ToImages(images), labels));
            return new NegativesRow(method, rewards.Average(), adherence.AllCorrect, adherence.PerAttribute);
        }

        using (var scope = NewDisposeScope())
        {
            var handWritten = pipeline.EncodePrompts([HandWritten]).squeeze(0);
            rows.Add(Row("null text", training.Generate(pipeline.EmptyPromptStates, texts, seeds)));
            progress?.Invoke(0.1);
            rows.Add(Row("hand-written negative", training.Generate(handWritten, texts, seeds)));
            progress?.Invoke(0.2);
            rows.Add(Row($"learned global ({embedding.Name})", training.Generate(embedding.States, texts, seeds)));
            progress?.Invoke(0.3);
        }

        var refined = new List<Tensor>();
        using (var scope = NewDisposeScope())
        {
            for (var i = 0; i < texts.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (states, _) = training.Refine(embedding.States, texts[i], seeds[i], cancellationToken);
                refined.Add(training.Generate(states, [texts[i]], [seeds[i]]));
                progress?.Invoke(0.3 + (0.7 * (i + 1) / texts.Count));
            }

            rows.Add(Row("learned per-prompt", cat(refined, 0)));
        }

        return new NegativesEvaluation(embedding.Name, texts.Count, options.Guidance, HandWritten, rows) { Samples = samples };
    }
}
