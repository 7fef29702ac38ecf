using System.Text.Json.Serialization;
using MediaStudio.Language.Captioning;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Metrics;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;
using static TorchSharp.torch;

namespace MediaStudio.Language.Training;

/// <summary>What <see cref="CaptionerEvaluator.Evaluate"/> measured on held-out images and clips.</summary>
/// <param name="Images">Held-out images captioned.</param>
/// <param name="Clips">Held-out clips captioned.</param>
/// <param name="Motion">How the held-out clips' motions were drawn.</param>
/// <param name="Accuracy">Per attribute, the fraction stated correctly (parsed back with the world's caption parsers); an unparsable caption counts as wrong everywhere. For clips also "baseline: …" (what answering "no change" scores) and "share: …" rows (fractions of objects whose caption states a change, and whose clip has one).</param>
/// <param name="ParseRate">Fraction of generated captions the parsers could read.</param>
/// <param name="ImageExactMatch">Fraction of images whose caption states exactly the true scene; null when no image was evaluated.</param>
/// <param name="ClipExactMatch">Fraction of clips whose caption states exactly the true scene and every motion; null when no clip was evaluated.</param>
/// <param name="Perplexity">exp of the mean next-token loss on one reference caption per sample (teacher forcing).</param>
/// <param name="DecodeTokensPerSecond">Generated tokens per second of greedy decoding with the KV cache, batched.</param>
/// <param name="Batch">Batch size used for decoding.</param>
/// <param name="Examples">A few (truth, generated) pairs.</param>
public sealed record CaptionerEvaluation(
    [property: JsonPropertyName("images")] int Images,
    [property: JsonPropertyName("clips")] int Clips,
    [property: JsonPropertyName("clip_motion")] ClipMotion Motion,
    [property: JsonPropertyName("accuracy")] IReadOnlyDictionary<string, double> Accuracy,
    [property: JsonPropertyName("parse_rate")] double ParseRate,
    [property: JsonPropertyName("image_exact_match")] double? ImageExactMatch,
    [property: JsonPropertyName("clip_exact_match")] double? ClipExactMatch,
    [property: JsonPropertyName("perplexity")] double Perplexity,
    [property: JsonPropertyName("decode_tokens_per_second")] double DecodeTokensPerSecond,
    [property: JsonPropertyName("batch")] int Batch,
    [property: JsonPropertyName("examples")] IReadOnlyList<CaptionExample> Examples);

/// <summary>One evaluated caption next to a reference.</summary>
public sealed record CaptionExample(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("reference")] string Reference,
    [property: JsonPropertyName("generated")] string Generated);

/// <summary>Scores a captioner on held-out seeds that training never draws.</summary>
/// <remarks>
/// Each generated caption (greedy) is read back with <see cref="CaptionParser"/> (images) or <see cref="ClipCaptionParser"/>
/// (clips) and compared with the ground truth per attribute: background kind and colours (noise backgrounds as an
/// unordered pair), object count, and for every true object the object the caption puts in the same region (position,
/// shape, colour, size, texture), plus for clips its movement direction, scaling and turning.
/// </remarks>
public static class CaptionerEvaluator
{
    /// <summary>Runs the evaluation.</summary>
    public static CaptionerEvaluation Evaluate(CaptionPipeline pipeline, int images, int clips, ClipMotion motion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentOutOfRangeException.ThrowIfNegative(images);
        ArgumentOutOfRangeException.ThrowIfNegative(clips);
        if (images + clips == 0)
        {
            throw new ArgumentException("evaluate at least one image or clip", nameof(images));
        }

        var config = pipeline.Model.Config;
        var rng = WorldRandom.For(CaptionerTraining.EvaluationSeedBase, "captioner-eval-captions");
        var imageSamples = Enumerable.Range(0, images).Select(i => CaptionerTraining.Image(CaptionerTraining.EvaluationSeedBase + i, config.Vision.ImageSize, rng, config.ObjectOrder)).ToList();
        var clipSamples = Enumerable.Range(0, clips)
            .Select(i => CaptionerTraining.Clip(CaptionerTraining.EvaluationSeedBase + CaptionerTraining.EvaluationClipOffset + i, config, rng, motion)).ToList();

        var greedy = new GenerationOptions { MaxNewTokens = config.MaxCaptionTokens };
        var imageRun = pipeline.Generate([.. imageSamples.Select(s => s.Frames)], greedy, cancellationToken);
        var clipRun = pipeline.Generate(
            [.. clipSamples.Select(s => s.Frames)], greedy, cancellationToken, config.MotionReadsOwnFrames ? [.. clipSamples.Select(s => s.MotionFrames!)] : null);
        var tokens = imageRun.Tokens.Sum(t => t.Count + 1) + clipRun.Tokens.Sum(t => t.Count + 1);
        var seconds = (imageRun.Elapsed + clipRun.Elapsed).TotalSeconds;

        var tally = new AccuracyTally();

        var parsed = 0;
        var (imageExact, clipExact) = (0, 0);
        var examples = new List<CaptionExample>();
        for (var i = 0; i < images; i++)
        {
            var text = pipeline.Tokenizer.Decode(imageRun.Tokens[i]).Trim();
            SceneLabel? label = null;
            try
            {
                label = CaptionParser.Parse(text);
                parsed++;
            }
            catch (CaptionParseException)
            {
            }

            imageExact += ScoreScene(imageSamples[i].Scene.Label, label, tally.Count) ? 1 : 0;
            if (i < 5)
            {
                examples.Add(new CaptionExample("image", imageSamples[i].Caption, text));
            }
        }

        for (var i = 0; i < clips; i++)
        {
            var text = pipeline.Tokenizer.Decode(clipRun.Tokens[i]).Trim();
            ClipCaptionLabel? label = null;
            try
            {
                label = ClipCaptionParser.Parse(text);
                parsed++;
            }
            catch (CaptionParseException)
            {
            }

            var truth = clipSamples[i].Scene.Label;
            var sceneExact = ScoreScene(truth, label?.Scene, tally.Count);
            var motions = clipSamples[i].Motions!;
            var motionsExact = true;
            for (var k = 0; k < truth.Objects.Count; k++)
            {
                var m = motions[k];
                var p = label is not null && label.Motions.TryGetValue(truth.Objects[k].Region, out var seen) ? seen : null;
                tally.Count("motion", p is not null && (p.Horizontal, p.Vertical) == (m.Horizontal, m.Vertical));
                tally.Count("scale", p?.Scale == m.Scale);
                tally.Count("rotation", p?.Rotation == m.Rotation);
                motionsExact &= p == m;

                // what answering "no change" would score, and how often a change is stated against how often it happens
                tally.Count("baseline: scale always kept", m.Scale == 0);
                tally.Count("baseline: rotation always none", m.Rotation == 0);
                tally.Count("share: scale change stated", p is not null && p.Scale != 0);
                tally.Count("share: scale change true", m.Scale != 0);
                tally.Count("share: turn stated", p is not null && p.Rotation != 0);
                tally.Count("share: turn true", m.Rotation != 0);
            }

            clipExact += sceneExact && motionsExact ? 1 : 0;
            if (i < 5)
            {
                examples.Add(new CaptionExample("clip", clipSamples[i].Caption, text));
            }
        }

        foreach (var (part, right) in PhrasePreferences(pipeline, clipSamples))
        {
            tally.Count(part, right);
        }

        var perplexity = Perplexity(pipeline, imageSamples, clipSamples);
        return new CaptionerEvaluation(
            images,
            clips,
            motion,
            tally.Fractions(),
            parsed / (double)(images + clips),
            images == 0 ? null : imageExact / (double)images,
            clips == 0 ? null : clipExact / (double)clips,
            perplexity,
            seconds > 0 ? tokens / seconds : 0,
            Math.Min(pipeline.MaxBatch, Math.Max(images, clips)),
            examples);
    }

    private static bool ScoreScene(SceneLabel truth, SceneLabel? predicted, Action<string, bool> count)
    {
        var colours = predicted is null ? (false, false) : truth.Background.MatchColours(predicted.Background);
        count("background_kind", predicted?.Background.Kind == truth.Background.Kind);
        count("background_color", colours.Item1);
        if (truth.Background.SecondColor is not null)
        {
            count("background_second_color", colours.Item2);
        }

        count("object_count", predicted?.Objects.Count == truth.Objects.Count);
        var exact = predicted is not null && colours is (true, true) && predicted.Background.Kind == truth.Background.Kind && predicted.Objects.Count == truth.Objects.Count;
        foreach (var o in truth.Objects)
        {
            var p = predicted?.Objects.FirstOrDefault(q => q.Region == o.Region);
            count("position", p is not null);
            count("shape", p?.Shape == o.Shape);
            count("color", p?.Color == o.Color);
            count("size", p?.Size == o.Size);
            count("texture", p?.Texture == o.Texture);
            exact &= p == o;
        }

        return exact;
    }

    // Teacher forcing, per clip and part: is the reference caption likelier than the same caption with one motion phrase
    // turned into its opposite ("moves left" -> "moves to the right", "shrinks" -> "grows", clockwise <-> counterclockwise)?
    // Separates what the model knows from what greedy decoding writes; 50% is a model that ignores that part of the clip.
    private static List<(string Part, bool Right)> PhrasePreferences(CaptionPipeline pipeline, IReadOnlyList<CaptionSample> clips)
    {
        var results = new List<(string Part, bool Right)>();
        (string Part, (string Phrase, string Opposite)[] Swaps)[] parts =
        [
            ("teacher-forced: direction over its opposite", Opposites(MotionPhrases.Moves.Where(kv => kv.Key != (0, 0)).ToDictionary(), k => (-k.Horizontal, -k.Vertical))),
            ("teacher-forced: scale change over its opposite", Opposites(MotionPhrases.Scales, k => -k)),
            ("teacher-forced: turn over its opposite", Opposites(MotionPhrases.Rotations, k => -k)),
        ];
        using var noGrad = no_grad();
        pipeline.Model.eval();
        foreach (var clip in clips)
        {
            float? reference = null; // the reference caption's loss, computed once per clip
            foreach (var (part, swaps) in parts)
            {
                if (swaps.FirstOrDefault(s => clip.Caption.Contains(s.Phrase, StringComparison.Ordinal)) is not ({ } phrase, { } opposite))
                {
                    continue;
                }

                var at = clip.Caption.IndexOf(phrase, StringComparison.Ordinal);
                var flipped = clip with { Caption = string.Concat(clip.Caption.AsSpan(0, at), opposite, clip.Caption.AsSpan(at + phrase.Length)) };
                reference ??= SummedLoss(pipeline, clip);
                results.Add((part, reference < SummedLoss(pipeline, flipped)));
            }
        }

        return results;
    }

    private static float SummedLoss(CaptionPipeline pipeline, CaptionSample sample)
    {
        using var scope = NewDisposeScope();
        return CaptionerTraining.Loss(pipeline.Model, pipeline.Tokenizer, [sample]).SummedLoss.item<float>();
    }

    // every phrase of a table with the plain phrase of the opposite entry, longest first so "grows larger" is found before "grows"
    private static (string Phrase, string Opposite)[] Opposites<TKey>(IReadOnlyDictionary<TKey, string[]> table, Func<TKey, TKey> opposite)
        where TKey : notnull =>
        [.. table.SelectMany(kv => kv.Value.Select(phrase => (phrase, table[opposite(kv.Key)][0]))).OrderByDescending(p => p.phrase.Length)];

    private static double Perplexity(CaptionPipeline pipeline, IReadOnlyList<CaptionSample> images, IReadOnlyList<CaptionSample> clips)
    {
        using var noGrad = no_grad();
        pipeline.Model.eval();
        double loss = 0;
        long count = 0;
        foreach (var group in new[] { images, clips })
        {
            for (var start = 0; start < group.Count; start += 32)
            {
                using var scope = NewDisposeScope();
                var (summed, tokens) = CaptionerTraining.Loss(pipeline.Model, pipeline.Tokenizer, [.. group.Skip(start).Take(32)]);
                loss += summed.item<float>();
                count += tokens;
            }
        }

        return Math.Exp(loss / count);
    }
}
