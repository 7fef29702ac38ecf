using MediaStudio.Diffusion.Clip;
using MediaStudio.Neural.Training;
using MediaStudio.Synthetic.Recognition;
using MediaStudio.Synthetic.Scenes;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Reward;

/// <summary>The reward model's recipe: fresh preference pairs every step, Bradley-Terry loss, resumable checkpoints.</summary>
/// <remarks>
/// Training pairs use seeds below 2^62 drawn per step from <see cref="TrainingSeed.ForStep"/>; evaluation pairs use
/// seeds from <see cref="EvaluationSeedBase"/> = 2^62 up, so the two never overlap. Half the pairs reject a degraded
/// render, half a render with one wrong attribute (<see cref="PreferencePair.Sample"/>). The CLIP towers stay in eval
/// mode (BatchNorm uses its running statistics) while the head and the fine-tuned stages learn.
/// </remarks>
public static class RewardTraining
{
    /// <summary>First seed of the held-out evaluation range (2^62).</summary>
    public const long EvaluationSeedBase = 1L << 62;

    /// <summary>The preference pairs of one step.</summary>
    /// <param name="seed">Run seed.</param>
    /// <param name="step">0-based step.</param>
    /// <param name="batchSize">Pairs.</param>
    /// <param name="size">Image side.</param>
    /// <returns>The pairs.</returns>
    public static IReadOnlyList<PreferencePair> TrainingBatch(long seed, long step, int batchSize, int size)
    {
        var baseSeed = (long)(TrainingSeed.ForStep(seed, step) >> 3);
        return [.. Enumerable.Range(0, batchSize).Select(i => PreferencePair.Sample(baseSeed + i, size, size))];
    }

    /// <summary>Scores the chosen and the rejected images of pairs against their prompts in one forward.</summary>
    /// <param name="model">Reward model with its tokenizer.</param>
    /// <param name="pairs">Pairs.</param>
    /// <returns>r(chosen) (B) and r(rejected) (B).</returns>
    public static (Tensor Chosen, Tensor Rejected) ScorePairs(RewardModel model, IReadOnlyList<PreferencePair> pairs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pairs);
        var tokenizer = model.Tokenizer ?? throw new InvalidOperationException("scoring needs the model's tokenizer");
        using var scope = NewDisposeScope();
        var size = model.Config.Clip.Vision.ImageSize;
        var images = SceneRecognizer.ToBatch([.. pairs.Select(p => p.Chosen), .. pairs.Select(p => p.Rejected)], size); // (2B, 3, S, S)
        var prompts = pairs.Select(p => p.Prompt).ToList();
        var ids = tokenizer.EncodeBatch([.. prompts, .. prompts]);                                                       // (2B, T)
        var r = model.forward(images, ids);                                                                              // (2B)
        var n = pairs.Count;
        return (r.narrow(0, 0, n).MoveToOuterDisposeScope(), r.narrow(0, n, n).MoveToOuterDisposeScope());
    }

    /// <summary>Trains (or resumes) the reward model.</summary>
    /// <param name="model">Model from <see cref="RewardModel.FromClip"/>.</param>
    /// <param name="recipe">The recipe.</param>
    /// <param name="checkpointPath">Checkpoint file, or null.</param>
    /// <param name="progress">Progress sink.</param>
    /// <param name="cancellationToken">Stops after the current step (a checkpoint is written first).</param>
    /// <returns>The last progress report.</returns>
    public static TrainingProgress Train(
        RewardModel model, RewardRecipe recipe, string? checkpointPath, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(recipe);
        recipe.Validate();
        var options = recipe.ToOptions();
        model.FreezePerConfig();
        using var trainer = new Trainer(model, options, checkpointPath);
        trainer.TryResume();
        var size = model.Config.Clip.Vision.ImageSize;
        return trainer.Run(
            step =>
            {
                model.Clip.eval(); // the trainer switched everything to train mode; the towers keep their BatchNorm statistics
                var (chosen, rejected) = ScorePairs(model, TrainingBatch(options.Seed, step, recipe.BatchSize, size));
                using (chosen)
                using (rejected)
                {
                    return RewardModel.BradleyTerryLoss(chosen, rejected);
                }
            },
            progress,
            cancellationToken);
    }

    /// <summary>Groups a pair's reason: "degraded: Blur" stays, "wrong Color of the object at Left" becomes "wrong Color".</summary>
    /// <param name="reason">The pair's reason.</param>
    /// <returns>The group.</returns>
    public static string Group(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var cut = reason.IndexOf(" of the object", StringComparison.Ordinal);
        return cut > 0 ? reason[..cut] : reason;
    }

    /// <summary>Measures pair accuracy on held-out pairs (seeds from 2^62), overall and per reason, against the raw CLIP cosine.</summary>
    /// <param name="model">The reward model.</param>
    /// <param name="pairs">Held-out pairs.</param>
    /// <param name="baseline">The CLIP whose raw cosine is the comparison column (the one the model was built from); the model's own towers when null.</param>
    /// <param name="batchSize">Pairs per forward.</param>
    /// <returns>The evaluation.</returns>
    public static RewardEvaluation Evaluate(RewardModel model, int pairs = 1000, ClipModel? baseline = null, int batchSize = 50)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(pairs, 1);
        var tokenizer = model.Tokenizer ?? throw new InvalidOperationException("evaluation needs the model's tokenizer");
        model.eval();
        var cosineModel = baseline ?? model.Clip;
        cosineModel.eval();
        using var guard = no_grad();
        var size = model.Config.Clip.Vision.ImageSize;
        var tally = new Dictionary<string, (int Reward, int Cosine, int Total)>(StringComparer.Ordinal);
        var margin = 0.0;
        for (var start = 0; start < pairs; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = Enumerable.Range(start, Math.Min(batchSize, pairs - start))
                .Select(i => PreferencePair.Sample(EvaluationSeedBase + i, size, size)).ToList();
            var (chosen, rejected) = ScorePairs(model, batch);
            var ids = tokenizer.EncodeBatch([.. batch.Select(p => p.Prompt)]);
            var text = nn.functional.normalize(cosineModel.GetTextFeatures(ids), dim: 1);                                                          // (B, P)
            var cosChosen = (nn.functional.normalize(cosineModel.GetImageFeatures(SceneRecognizer.ToBatch([.. batch.Select(p => p.Chosen)], size)), dim: 1) * text).sum(1);
            var cosRejected = (nn.functional.normalize(cosineModel.GetImageFeatures(SceneRecognizer.ToBatch([.. batch.Select(p => p.Rejected)], size)), dim: 1) * text).sum(1);
            var rewardWins = chosen.gt(rejected).data<bool>().ToArray();
            var cosineWins = cosChosen.gt(cosRejected).data<bool>().ToArray();
            margin += (chosen - rejected).sum().item<float>();
            for (var k = 0; k < batch.Count; k++)
            {
                foreach (var group in new[] { "overall", Group(batch[k].Reason) })
                {
                    var (r, c, t) = tally.GetValueOrDefault(group);
                    tally[group] = (r + (rewardWins[k] ? 1 : 0), c + (cosineWins[k] ? 1 : 0), t + 1);
                }
            }
        }

        var ordered = tally.OrderBy(kv => kv.Key == "overall" ? "" : kv.Key, StringComparer.Ordinal).ToList();
        return new RewardEvaluation(
            pairs,
            EvaluationSeedBase,
            baseline is null ? "the reward model's own (fine-tuned) CLIP towers" : "the CLIP it was built from",
            ordered.ToDictionary(kv => kv.Key, kv => kv.Value.Reward / (double)kv.Value.Total),
            ordered.ToDictionary(kv => kv.Key, kv => kv.Value.Cosine / (double)kv.Value.Total),
            ordered.ToDictionary(kv => kv.Key, kv => kv.Value.Total),
            margin / pairs);
    }
}
