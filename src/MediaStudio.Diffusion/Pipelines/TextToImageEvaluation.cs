using System.Text.Json.Serialization;
using MediaStudio.Diffusion.Autoencoder;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Diffusion.Training;
using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Recognition;
using MediaStudio.Synthetic.Scenes;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Pipelines;

/// <summary>Prompt adherence of one group of held-out prompts, as read by the scene recognizer.</summary>
/// <param name="Prompts">Prompts rendered (one image each).</param>
/// <param name="PerAttribute">Mean score per attribute (see <see cref="AdherenceScore"/>).</param>
/// <param name="AllCorrect">Fraction of images with every attribute right.</param>
public sealed record AdherenceSummary(
    [property: JsonPropertyName("prompts")] int Prompts,
    [property: JsonPropertyName("per_attribute")] IReadOnlyDictionary<string, double> PerAttribute,
    [property: JsonPropertyName("all_correct")] double AllCorrect)
{
    /// <summary>Averages scores per attribute (an attribute absent from a score is not counted for it).</summary>
    public static AdherenceSummary From(IReadOnlyList<AdherenceScore> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var perAttribute = scores.SelectMany(s => s.PerAttribute).GroupBy(kv => kv.Key, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Average(kv => kv.Value), StringComparer.Ordinal);
        return new AdherenceSummary(scores.Count, perAttribute, scores.Count == 0 ? 0 : scores.Average(s => s.AllCorrect ? 1.0 : 0.0));
    }
}

/// <summary>What a perfect UNet could score on the same prompts: the recognizer's reading of a true render of each prompt,
/// and of that render after a round trip through the pipeline's autoencoder (the latent a perfect UNet would produce).</summary>
/// <param name="Renders">Single-object prompts: the true renders.</param>
/// <param name="RoundTrip">Single-object prompts: the true renders encoded and decoded.</param>
/// <param name="MultiRenders">Multi-object prompts: the true renders.</param>
/// <param name="MultiRoundTrip">Multi-object prompts: the true renders encoded and decoded.</param>
public sealed record AdherenceCeiling(
    [property: JsonPropertyName("renders")] AdherenceSummary Renders,
    [property: JsonPropertyName("round_trip")] AdherenceSummary RoundTrip,
    [property: JsonPropertyName("multi_renders")] AdherenceSummary MultiRenders,
    [property: JsonPropertyName("multi_round_trip")] AdherenceSummary MultiRoundTrip);

/// <summary>The result of <c>mediastudio eval t2i</c>.</summary>
/// <param name="SingleObject">Adherence on single-object prompts.</param>
/// <param name="MultiObject">Adherence on two- and three-object prompts.</param>
/// <param name="SingleObjectAnyPlace">The single-object images judged on how the object is drawn, wherever it is placed
/// (<see cref="PromptAdherence.Compare"/> with anyPlace): set against <paramref name="SingleObject"/>, it tells a misplaced
/// object from a misdrawn one.</param>
/// <param name="Ceiling">The same prompts' true renders, as read directly and through the autoencoder.</param>
/// <param name="Diversity">Mean pairwise RMS distance (0-1) between images of the same prompt from different seeds.</param>
/// <param name="Steps">Sampler steps.</param>
/// <param name="Guidance">Guidance scale.</param>
/// <param name="Sampler">Sampler name.</param>
/// <param name="FirstStepNoiseShare">Share (0-1) of the spatial variance (the layout) of the first step's x0 prediction
/// that comes from the noise rather than the prompt (<see cref="NoiseShareOfFirstStep"/>): about 0 for a model that lays out its image from
/// the prompt, about 1 for one that follows its seed.</param>
public sealed record TextToImageEvaluation(
    [property: JsonPropertyName("single_object")] AdherenceSummary SingleObject,
    [property: JsonPropertyName("multi_object")] AdherenceSummary MultiObject,
    [property: JsonPropertyName("single_object_any_place")] AdherenceSummary SingleObjectAnyPlace,
    [property: JsonPropertyName("ceiling")] AdherenceCeiling Ceiling,
    [property: JsonPropertyName("diversity")] double Diversity,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("guidance")] double Guidance,
    [property: JsonPropertyName("sampler")] string Sampler,
    [property: JsonPropertyName("first_step_noise_share")] double FirstStepNoiseShare)
{
    /// <summary>First seed of the evaluation images.</summary>
    public const long SeedBase = 5_000_000;

    /// <summary>Renders held-out prompts and scores them with the recognizer.</summary>
    /// <param name="pipeline">The loaded pipeline.</param>
    /// <param name="recognizer">The scene recognizer.</param>
    /// <param name="singlePrompts">Single-object prompts to render.</param>
    /// <param name="multiPrompts">Multi-object prompts to render.</param>
    /// <param name="steps">Sampler steps.</param>
    /// <param name="guidance">Guidance scale.</param>
    /// <param name="sampler">Sampler (deterministic ones batch).</param>
    /// <param name="uncond">(T, D) unconditional states; the empty prompt's when null.</param>
    /// <param name="progress">Receives the completed fraction.</param>
    /// <returns>Adherence and diversity.</returns>
    public static TextToImageEvaluation Run(
        TextToImagePipeline pipeline, SceneRecognizer recognizer, int singlePrompts, int multiPrompts, int steps, double guidance,
        SamplerKind sampler, Tensor? uncond = null, Action<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(recognizer);
        var single = TextToImageData.HeldOutPrompts(singlePrompts, singleObject: true);
        var multi = TextToImageData.HeldOutPrompts(multiPrompts, singleObject: false);
        var diversityPrompts = single.Take(8).ToList();
        var total = single.Count + multi.Count + (diversityPrompts.Count * 4);
        var done = 0;
        IReadOnlyList<RgbImage> Render(IReadOnlyList<string> prompts, long seedBase)
        {
            var images = Draw(pipeline, prompts, seedBase, steps, guidance, sampler, uncond);
            done += prompts.Count;
            progress?.Invoke((double)done / total);
            return images;
        }

        var singleScores = Score(recognizer, single, Render);
        var multiScores = Score(recognizer, multi, Render);
        var distances = diversityPrompts.Select(p => Synthetic.Metrics.Diversity.MeanPairwiseDistance(Render([p.Prompt, p.Prompt, p.Prompt, p.Prompt], SeedBase + 900_000))).ToList();
        var (singleRenders, multiRenders) = (TrueRenders(single), TrueRenders(multi));
        var ceiling = new AdherenceCeiling(
            Summary(recognizer, single, singleRenders), Summary(recognizer, single, RoundTrip(pipeline, singleRenders)),
            Summary(recognizer, multi, multiRenders), Summary(recognizer, multi, RoundTrip(pipeline, multiRenders)));
        var anyPlace = AdherenceSummary.From([.. singleScores.Select((s, i) => PromptAdherence.Compare(single[i].Label, s.Recognized, anyPlace: true))]);
        var noiseShare = diversityPrompts.Count == 0 ? 0 : NoiseShareOfFirstStep(pipeline, [.. diversityPrompts.Select(p => p.Prompt)], 4, guidance, uncond);
        return new TextToImageEvaluation(
            AdherenceSummary.From(singleScores), AdherenceSummary.From(multiScores), anyPlace, ceiling, distances.Count == 0 ? 0 : distances.Average(), steps, guidance,
            sampler.ToCliName(), noiseShare);
    }

    /// <summary>How much the layout of the first sampling step's x0 prediction (t = N - 1, guided) follows the noise rather
    /// than the prompt: with each channel's spatial mean taken out (the colours the prompt sets everywhere), the mean over
    /// prompts of its variance across seeds, over its variance across all prompts and seeds.</summary>
    /// <remarks>
    /// At t = N - 1 the input holds next to nothing of an image (SNR below 1e-8 on the cosine schedule), so the best
    /// prediction is E[x0 | prompt], the same for every seed: the share is then 0, and the prompt sets the layout that the
    /// later steps refine. A model never trained there (min-SNR weighting gives those steps a weight about equal to
    /// their SNR) answers from the noise, and the share nears 1. Prompt p and seed s use the noise of seed
    /// <see cref="SeedBase"/> + 800,000 + s, the same for every prompt.
    /// </remarks>
    /// <param name="pipeline">The loaded pipeline.</param>
    /// <param name="prompts">Prompts P.</param>
    /// <param name="seeds">Seeds S per prompt, at least 2.</param>
    /// <param name="guidance">Guidance scale.</param>
    /// <param name="uncond">(T, D) unconditional states; the empty prompt's when null.</param>
    /// <returns>The share in [0, 1].</returns>
    public static double NoiseShareOfFirstStep(TextToImagePipeline pipeline, IReadOnlyList<string> prompts, int seeds, double guidance, Tensor? uncond = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentOutOfRangeException.ThrowIfLessThan(seeds, 2);
        ArgumentOutOfRangeException.ThrowIfZero(prompts.Count);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (unet, schedule) = (pipeline.UNet, pipeline.Schedule);
        var size = unet.Config.SampleSize;
        var cond = pipeline.EncodePrompts(prompts).repeat_interleave(seeds, 0);                                 // (P·S, T, D)
        var negative = (uncond ?? pipeline.EmptyPromptStates).to(pipeline.Device);
        var perSeed = Enumerable.Range(0, seeds).Select(s => randn([1, unet.Config.InChannels, size, size], generator: new Generator((ulong)(SeedBase + 800_000 + s)))).ToList();
        var noise = cat(perSeed, 0).repeat(prompts.Count, 1, 1, 1).to(pipeline.Device);                        // (P·S, C, h, w)
        var t = full([noise.shape[0]], schedule.NumTrainTimesteps - 1, dtype: ScalarType.Int64, device: pipeline.Device);
        var denoiser = ClassifierFreeGuidance.Create((x, step, context) => unet.forward(x, step, context), cond, negative, guidance);
        var x0 = schedule.PredictOriginal(denoiser(noise, t), noise, t);                                        // (P·S, C, h, w)
        x0 = (x0 - x0.mean([2, 3], keepdim: true)).view(prompts.Count, seeds, -1);                             // (P, S, C·h·w), layout only
        var total = (x0 - x0.mean([0, 1], keepdim: true)).square().mean().item<float>();
        var withinPrompt = (x0 - x0.mean([1], keepdim: true)).square().mean().item<float>();
        return total > 0 ? withinPrompt / total : 0;
    }

    /// <summary>One true render of each prompt's scene (seed i for prompt i) at the pipeline's 64x64.</summary>
    public static IReadOnlyList<RgbImage> TrueRenders(IReadOnlyList<(SceneLabel Label, string Prompt)> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        return [.. prompts.Select((p, i) => SceneRendering.Render(new SceneSample(i, p.Label)))];
    }

    /// <summary>The images encoded to the posterior mean and decoded by the pipeline's autoencoder, in batches of 16.</summary>
    public static IReadOnlyList<RgbImage> RoundTrip(TextToImagePipeline pipeline, IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(images);
        return [.. images.Chunk(16).SelectMany(batch => AutoencoderEvaluation.Reconstruct(pipeline.Autoencoder, batch, null))];
    }

    private static AdherenceSummary Summary(SceneRecognizer recognizer, IReadOnlyList<(SceneLabel Label, string Prompt)> prompts, IReadOnlyList<RgbImage> images) =>
        AdherenceSummary.From([.. PromptAdherence.Score(recognizer, images, [.. prompts.Select(p => p.Label)])]);

    /// <summary>Draws one image per prompt, image i from seed <paramref name="seedBase"/> + i, in batches of 16.</summary>
    public static IReadOnlyList<RgbImage> Draw(
        TextToImagePipeline pipeline, IReadOnlyList<string> prompts, long seedBase, int steps, double guidance, SamplerKind sampler, Tensor? uncond = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(prompts);
        using var noGrad = no_grad();
        var images = new List<RgbImage>(prompts.Count);
        var batchSize = sampler is SamplerKind.Ddpm or SamplerKind.EulerAncestral ? 1 : 16;
        for (var start = 0; start < prompts.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = prompts.Skip(start).Take(batchSize).ToList();
            var cond = pipeline.EncodePrompts(batch);
            var negative = (uncond ?? pipeline.EmptyPromptStates).to(pipeline.Device).unsqueeze(0).expand(batch.Count, -1, -1);
            var size = pipeline.UNet.Config.SampleSize;
            var noise = cat([.. batch.Select((_, i) => randn([1, pipeline.UNet.Config.InChannels, size, size], generator: new Generator((ulong)(seedBase + start + i))))], 0).to(pipeline.Device);
            var latents = TextToImagePipeline.Sample(pipeline.UNet, pipeline.Schedule, cond, negative, noise, sampler, steps, guidance, new Generator((ulong)(seedBase + start), pipeline.Device));
            images.AddRange(ImageTensors.ToImages(pipeline.Autoencoder.DecodeLatents(latents)));
        }

        return images;
    }

    private static List<AdherenceScore> Score(
        SceneRecognizer recognizer, IReadOnlyList<(SceneLabel Label, string Prompt)> prompts, Func<IReadOnlyList<string>, long, IReadOnlyList<RgbImage>> render)
    {
        var images = render([.. prompts.Select(p => p.Prompt)], SeedBase);
        return [.. PromptAdherence.Score(recognizer, images, [.. prompts.Select(p => p.Label)])];
    }
}
