using MediaStudio.Media.Images;
using MediaStudio.Neural.Training;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Metrics;
using MediaStudio.Synthetic.Recognition;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Clip;

/// <summary>CLIP's recipe on the procedural world: fresh image-caption pairs every step, symmetric InfoNCE plus the auxiliary attribute loss.</summary>
/// <remarks>
/// Training scenes use seeds below 2^62, drawn per step from <see cref="TrainingSeed.ForStep"/> (a resumed run sees the
/// same batches); evaluation scenes use seeds from <see cref="EvaluationSeedBase"/> = 2^62 up, so the two never overlap.
/// Each image gets one caption written by <see cref="Captioner"/> with its own seed-derived choices.
/// </remarks>
public static class ClipTraining
{
    /// <summary>First seed of the held-out evaluation range (2^62).</summary>
    public const long EvaluationSeedBase = 1L << 62;

    /// <summary>Returns the shipped model config for a tokenizer: width 128, 4 layers, 4 heads, the recognizer-size PAT tower, attribute heads on.</summary>
    /// <param name="tokenizer">The tokenizer (vocabulary size and context length).</param>
    /// <returns>The config.</returns>
    public static ClipConfig DefaultConfig(ClipTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return new ClipConfig
        {
            Text = new ClipTextConfig { VocabSize = tokenizer.VocabSize, MaxPositionEmbeddings = tokenizer.ContextLength },
            AttributeLogits = AttributeHeads.TotalLogits,
        };
    }

    /// <summary>One image-caption example of a scene seed.</summary>
    /// <param name="sceneSeed">Scene seed.</param>
    /// <param name="degradationRate">Probability of a named degradation.</param>
    /// <param name="size">Image side.</param>
    /// <returns>The render, one caption and the label.</returns>
    public static (RgbImage Image, string Caption, SceneLabel Label) Example(long sceneSeed, double degradationRate, int size)
    {
        var sample = SceneSampler.Sample(sceneSeed, new SceneSamplerOptions { DegradationRate = degradationRate });
        var image = SceneRendering.Render(sample, size, size);
        var caption = Captioner.Caption(sample.Label, WorldRandom.For(sceneSeed, "clip-caption"));
        return (image, caption, sample.Label);
    }

    /// <summary>The training examples of one step.</summary>
    /// <param name="seed">Run seed.</param>
    /// <param name="step">0-based step.</param>
    /// <param name="batchSize">Pairs.</param>
    /// <param name="degradationRate">Probability of a named degradation.</param>
    /// <param name="size">Image side.</param>
    /// <returns>The examples.</returns>
    public static IReadOnlyList<(RgbImage Image, string Caption, SceneLabel Label)> TrainingBatch(
        long seed, long step, int batchSize, double degradationRate, int size)
    {
        var baseSeed = (long)(TrainingSeed.ForStep(seed, step) >> 3); // below 2^61 (+ batch) < 2^62
        return [.. Enumerable.Range(0, batchSize).Select(i => Example(baseSeed + i, degradationRate, size))];
    }

    /// <summary>The recognizer-head targets an image can be held to: colours are ignored when the render's colours are deliberately wrong.</summary>
    /// <param name="label">Scene label.</param>
    /// <returns>One target per head.</returns>
    public static long[] ImageTargets(SceneLabel label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var targets = AttributeHeads.Targets(label);
        if (label.Degradations.Any(d => d.Kind == DegradationKind.WrongColors))
        {
            targets[1] = AttributeHeads.Ignore;
            targets[2] = AttributeHeads.Ignore;
            foreach (var region in Enum.GetValues<Region>())
            {
                targets[AttributeHeads.ObjectHead(region, 1)] = AttributeHeads.Ignore;
            }
        }

        return targets;
    }

    /// <summary>The loss of one batch: InfoNCE + weight · (image attribute CE + text attribute CE).</summary>
    /// <param name="model">The model (with its tokenizer).</param>
    /// <param name="examples">Image-caption examples.</param>
    /// <param name="attributeWeight">Weight of the auxiliary loss (ignored when the model has no heads).</param>
    /// <returns>The scalar loss with its graph.</returns>
    public static Tensor BatchLoss(ClipModel model, IReadOnlyList<(RgbImage Image, string Caption, SceneLabel Label)> examples, double attributeWeight)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(examples);
        var tokenizer = model.Tokenizer ?? throw new InvalidOperationException("training needs the model's tokenizer");
        using var scope = NewDisposeScope();
        var size = model.Config.Vision.ImageSize;
        var images = SceneRecognizer.ToBatch([.. examples.Select(e => e.Image)], size);
        var ids = tokenizer.EncodeBatch([.. examples.Select(e => e.Caption)]);
        using var output = model.forward(images, ids);
        var loss = ClipLoss.Contrastive(output.LogitsPerImage);
        if (attributeWeight > 0 && output.ImageAttributeLogits is { } imageLogits && output.TextAttributeLogits is { } textLogits)
        {
            var heads = AttributeHeads.Heads.Count;
            var imageTargets = tensor(examples.SelectMany(e => ImageTargets(e.Label)).ToArray(), [examples.Count, heads]);
            var textTargets = tensor(examples.SelectMany(e => AttributeHeads.Targets(e.Label)).ToArray(), [examples.Count, heads]);
            loss = loss + (attributeWeight * (ClipLoss.Attributes(imageLogits, imageTargets) + ClipLoss.Attributes(textLogits, textTargets)));
        }

        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Trains (or resumes) CLIP; the checkpoint file makes a killed run continue where it stopped.</summary>
    /// <param name="model">Model from <see cref="ClipModel.FromConfig"/>, with its tokenizer.</param>
    /// <param name="recipe">The recipe.</param>
    /// <param name="checkpointPath">Checkpoint file, or null.</param>
    /// <param name="progress">Progress sink.</param>
    /// <param name="cancellationToken">Stops after the current step (a checkpoint is written first).</param>
    /// <returns>The last progress report.</returns>
    public static TrainingProgress Train(
        ClipModel model, ClipRecipe recipe, string? checkpointPath, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(recipe);
        recipe.Validate();
        var options = recipe.ToOptions();
        using var trainer = new Trainer(model, options, checkpointPath);
        trainer.TryResume();
        var size = model.Config.Vision.ImageSize;
        return trainer.Run(
            step => BatchLoss(model, TrainingBatch(options.Seed, step, recipe.BatchSize, recipe.DegradationRate, size), recipe.AttributeLossWeight),
            progress,
            cancellationToken);
    }

    /// <summary>Measures retrieval and zero-shot attribute accuracy on held-out scenes (seeds from 2^62).</summary>
    /// <param name="model">The model (with its tokenizer).</param>
    /// <param name="samples">Held-out pairs for retrieval (rounded down to whole batches, at least one).</param>
    /// <param name="batchSize">Candidates per retrieval (64 as in training).</param>
    /// <param name="zeroShotSamples">Images for the zero-shot attribute test.</param>
    /// <param name="degradationRate">The training distribution's degradation rate.</param>
    /// <returns>The evaluation.</returns>
    public static ClipEvaluation Evaluate(ClipModel model, int samples = 1024, int batchSize = 64, int zeroShotSamples = 256, double degradationRate = 0.2)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tokenizer = model.Tokenizer ?? throw new InvalidOperationException("evaluation needs the model's tokenizer");
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 5);
        model.eval();
        using var guard = no_grad();
        var size = model.Config.Vision.ImageSize;
        var batches = Math.Max(1, samples / batchSize);
        long i2t1 = 0, i2t5 = 0, t2i1 = 0, t2i5 = 0;
        var lengths = new List<int>();
        var heads = new AccuracyTally();
        for (var b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            var examples = Enumerable.Range(0, batchSize)
                .Select(i => Example(EvaluationSeedBase + ((long)b * batchSize) + i, degradationRate, size)).ToList();
            lengths.AddRange(examples.Select(e => ClipTokenizer.CountTokens(e.Caption)));
            using var output = model.forward(
                SceneRecognizer.ToBatch([.. examples.Select(e => e.Image)], size), tokenizer.EncodeBatch([.. examples.Select(e => e.Caption)]));
            if (output.TextAttributeLogits is { } textLogits && output.ImageAttributeLogits is { } imageLogits)
            {
                Tally(heads, "text", textLogits, examples.Select(e => AttributeHeads.Targets(e.Label)).ToList());
                Tally(heads, "image", imageLogits, examples.Select(e => ImageTargets(e.Label)).ToList());
            }

            var logits = output.LogitsPerImage;                                 // (N, N)
            (i2t1, i2t5) = (i2t1 + TopK(logits, 1), i2t5 + TopK(logits, 5));
            (t2i1, t2i5) = (t2i1 + TopK(logits.t(), 1), t2i5 + TopK(logits.t(), 5));
        }

        double n = batches * batchSize;
        var retrieval = new Dictionary<string, double>
        {
            ["image_to_text_top1"] = i2t1 / n,
            ["image_to_text_top5"] = i2t5 / n,
            ["text_to_image_top1"] = t2i1 / n,
            ["text_to_image_top5"] = t2i5 / n,
        };
        lengths.Sort();
        var tokens = new Dictionary<string, double>
        {
            ["p50"] = lengths[lengths.Count / 2],
            ["p99"] = lengths[Math.Min(lengths.Count - 1, (int)Math.Ceiling(lengths.Count * 0.99) - 1)],
            ["max"] = lengths[^1],
            ["truncated_fraction"] = lengths.Count(l => l > tokenizer.ContextLength) / (double)lengths.Count,
        };
        var zeroShot = ZeroShot(model, tokenizer, zeroShotSamples);
        var attributeHeads = heads.Fractions();
        return new ClipEvaluation((int)n, batchSize, EvaluationSeedBase, degradationRate, retrieval, zeroShot, zeroShotSamples, tokens, attributeHeads);
    }

    // per attribute kind (background / shape / colour / size / texture) and per scene (every head right), for one side
    private static void Tally(AccuracyTally tally, string side, Tensor logits, List<long[]> targets)
    {
        using var scope = NewDisposeScope();
        var predicted = new List<long[]>();
        var offset = 0;
        foreach (var (_, classes) in AttributeHeads.Heads)
        {
            predicted.Add(logits.narrow(1, offset, classes).argmax(1).data<long>().ToArray()); // (B)
            offset += classes;
        }

        for (var b = 0; b < targets.Count; b++)
        {
            var allRight = true;
            for (var h = 0; h < AttributeHeads.Heads.Count; h++)
            {
                var target = targets[b][h];
                if (target == AttributeHeads.Ignore)
                {
                    continue;
                }

                var name = AttributeHeads.Heads[h].Name;
                var kind = name.StartsWith("background", StringComparison.Ordinal) ? "background" : name[(name.IndexOf('_', StringComparison.Ordinal) + 1)..];
                var right = predicted[h][b] == target;
                tally.Count($"{side}_{kind}", right);
                allRight &= right;
            }

            tally.Count($"{side}_all_heads", allRight);
        }
    }

    // rows whose matching column (the diagonal) is among the row's k largest
    private static long TopK(Tensor logits, int k)
    {
        using var scope = NewDisposeScope();
        var top = logits.topk(Math.Min(k, (int)logits.shape[1]), dim: 1).indexes;        // (N, k)
        var target = arange(logits.shape[0], dtype: ScalarType.Int64).unsqueeze(1);       // (N, 1)
        return top.eq(target).any(1).sum().item<long>();
    }

    // For each held-out image: the caption of its true label against captions of the same wording with one attribute
    // changed (every other value of one object's colour, shape, size, and of the background colour); correct when the
    // true caption has the highest cosine. Clean scenes (no degradations), seeds from 2^62 + 2^40.
    private static Dictionary<string, double> ZeroShot(ClipModel model, ClipTokenizer tokenizer, int count)
    {
        var size = model.Config.Vision.ImageSize;
        var correct = new Dictionary<string, int> { ["color"] = 0, ["shape"] = 0, ["size"] = 0, ["background_color"] = 0 };
        for (var i = 0; i < count; i++)
        {
            using var scope = NewDisposeScope();
            var seed = EvaluationSeedBase + (1L << 40) + i;
            var sample = SceneSampler.Sample(seed);
            var label = sample.Label;
            var index = WorldRandom.For(seed, "clip-zero-shot").Next(label.Objects.Count);
            var target = label.Objects[index];
            SceneLabel With(ObjectSpec o) => label with { Objects = [.. label.Objects.Select((x, k) => k == index ? o : x)] };
            var variants = new Dictionary<string, List<SceneLabel>>
            {
                ["color"] = [label, .. Enum.GetValues<NamedColor>().Where(c => c != target.Color).Select(c => With(target with { Color = c }))],
                ["shape"] = [label, .. Enum.GetValues<Shape>().Where(s => s != target.Shape).Select(s => With(target with { Shape = s }))],
                ["size"] = [label, .. Enum.GetValues<SizeClass>().Where(s => s != target.Size).Select(s => With(target with { Size = s }))],
                ["background_color"] = [label, .. Enum.GetValues<NamedColor>().Where(c => c != label.Background.Color)
                    .Select(c => label with { Background = label.Background with { Color = c } })],
            };
            var image = model.GetImageFeatures(SceneRecognizer.ToBatch([SceneRendering.Render(sample, size, size)], size)); // (1, P)
            image = nn.functional.normalize(image, dim: 1);
            foreach (var (attribute, labels) in variants)
            {
                var captions = labels.Select(l => Captioner.Caption(l, WorldRandom.For(seed, "clip-caption"))).ToList();
                var text = nn.functional.normalize(model.GetTextFeatures(tokenizer.EncodeBatch(captions)), dim: 1); // (V, P)
                var scores = image.matmul(text.t()).squeeze(0);                                                     // (V)
                if (scores.argmax().item<long>() == 0)
                {
                    correct[attribute]++;
                }
            }
        }

        return correct.ToDictionary(kv => kv.Key, kv => kv.Value / (double)Math.Max(1, count));
    }
}
