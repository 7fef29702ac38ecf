using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Neural.Training;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Negatives;

/// <summary>
/// ReNeg (Li et al., CVPR 2025): learns the unconditional branch's token states n by gradient ascent on a reward, with
/// classifier-free guidance inside the training graph.
/// </summary>
/// <remarks>
/// Notation: ε̂ / v̂ the frozen UNet's output, c = E(prompt), n the learned (T, D) states, γ the guidance scale,
/// R(x, prompt) the frozen reward. One step:
/// 1. x_T ~ N(0, I); deterministic DDIM (η = 0) with the current n, no gradient, down to step k drawn from the last
///    <see cref="ReNegOptions.LateSteps"/> of <see cref="ReNegOptions.SamplingSteps"/> (low noise; x_k detached);
/// 2. with gradient: o = o(x_k, n) + γ (o(x_k, c) − o(x_k, n)); x̂_0 = PredictOriginal(o, x_k, t_k);
/// 3. L = −mean R(D(x̂_0), prompt), backpropagated to n only.
/// Per-prompt refinement starts from the global n and takes at most <see cref="ReNegOptions.RefineSteps"/> more steps
/// on one prompt, keeping the best n by the reward of the actual generation (patience
/// <see cref="ReNegOptions.RefinePatience"/>), so it is never worse than the global one on that generation.
/// </remarks>
public sealed class ReNegTraining
{
    private readonly TextToImagePipeline _pipeline;
    private readonly IRewardFunction _reward;
    private readonly ReNegOptions _options;
    private readonly long[] _timesteps;

    /// <summary>Prepares training against a loaded pipeline and reward model (both stay frozen).</summary>
    public ReNegTraining(TextToImagePipeline pipeline, IRewardFunction reward, ReNegOptions options)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(reward);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _pipeline = pipeline;
        _reward = reward;
        _options = options;

        _timesteps = pipeline.Schedule.InferenceTimesteps(options.SamplingSteps);
    }

    /// <summary>The ReNeg loss of one step for prompts drawn from <paramref name="prompts"/> by the step's seed.</summary>
    /// <param name="negative">The learned states (gradient flows here).</param>
    /// <param name="prompts">Training prompts.</param>
    /// <param name="step">0-based step; picks the prompts and the late step.</param>
    /// <returns>Scalar −mean reward with its graph.</returns>
    public Tensor Loss(LearnedNegative negative, IReadOnlyList<string> prompts, long step)
    {
        ArgumentNullException.ThrowIfNull(negative);
        ArgumentNullException.ThrowIfNull(prompts);
        var rng = new Random(unchecked((int)TrainingSeed.ForStep(_options.Seed, step)));
        var batch = Enumerable.Range(0, _options.BatchSize).Select(_ => prompts[rng.Next(prompts.Count)]).ToList();
        var late = _timesteps.Length - 1 - rng.Next(_options.LateSteps);
        var noise = randn(LatentShape(batch.Count), generator: new Generator(TrainingSeed.ForStep(_options.Seed + 1, step))).to(_pipeline.Device);
        return Loss(negative.Embedding, batch, noise, late);
    }

    /// <summary>The loss for given prompts, starting noise and gradient step index (into the DDIM timesteps).</summary>
    public Tensor Loss(Tensor negative, IReadOnlyList<string> prompts, Tensor noise, int gradientStep)
    {
        ArgumentNullException.ThrowIfNull(negative);
        ArgumentNullException.ThrowIfNull(noise);
        using var scope = NewDisposeScope();
        var cond = _pipeline.EncodePrompts(prompts);                                        // (B, T, D)
        var x = Rollout(noise, cond, negative.detach(), gradientStep);                      // (B, C, h, w), no graph
        var t = full([prompts.Count], _timesteps[gradientStep], dtype: ScalarType.Int64, device: x.device);
        var guided = Guided(x, t, cond, negative);                                          // (B, C, h, w)
        var x0 = _pipeline.Schedule.PredictOriginal(guided, x, t);                          // (B, C, h, w)
        var images = _pipeline.Autoencoder.DecodeLatents(x0);                               // (B, 3, H, W)
        var reward = _reward.Score(images, prompts);                                       // (B)
        return (-reward.mean()).MoveToOuterDisposeScope();
    }

    /// <summary>Mean reward of full generations: each prompt drawn from its seed with the given unconditional states.</summary>
    /// <param name="negative">(T, D) unconditional states.</param>
    /// <param name="prompts">Prompts.</param>
    /// <param name="seeds">One seed per prompt.</param>
    /// <param name="guidance">Guidance scale; the recipe's when null.</param>
    /// <returns>The reward per prompt.</returns>
    public float[] Rewards(Tensor negative, IReadOnlyList<string> prompts, IReadOnlyList<long> seeds, double? guidance = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(seeds);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var images = Generate(negative, prompts, seeds, guidance);
        return _reward.Score(images, prompts).to(CPU).data<float>().ToArray();
    }

    /// <summary>Full generations with given unconditional states, as image tensors (B, 3, H, W).</summary>
    public Tensor Generate(Tensor negative, IReadOnlyList<string> prompts, IReadOnlyList<long> seeds, double? guidance = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(seeds);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor>();
        for (var i = 0; i < prompts.Count; i++)
        {
            var request = new TextToImageRequest
            {
                Prompt = prompts[i],
                Seed = seeds[i],
                Steps = _options.SamplingSteps,
                Guidance = guidance ?? _options.Guidance,
                Sampler = SamplerKind.Ddim,
                Width = _pipeline.UNet.Config.SampleSize * _pipeline.Autoencoder.Config.DownsampleFactor,
                Height = _pipeline.UNet.Config.SampleSize * _pipeline.Autoencoder.Config.DownsampleFactor,
            };
            var latents = _pipeline.SampleLatents(_pipeline.EncodePrompts([prompts[i]]), negative.unsqueeze(0), request, 0, 1);
            outputs.Add(_pipeline.Autoencoder.DecodeLatents(latents).clamp(-1, 1));
        }

        return cat(outputs, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Per-prompt ReNeg: refines <paramref name="global"/> for one prompt and seed, keeping the best states.</summary>
    /// <returns>The best states (a new tensor) and the reward trace, first entry the global embedding's reward.</returns>
    public (Tensor States, IReadOnlyList<float> Trace) Refine(Tensor global, string prompt, long seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(global);
        using var negative = new LearnedNegative(global.to(_pipeline.Device));
        using var optimizer = optim.AdamW([negative.Embedding], _options.RefineLearningRate, weight_decay: 0);
        var best = global.detach().clone();
        var bestReward = Rewards(best, [prompt], [seed])[0];
        var trace = new List<float> { bestReward };
        var stale = 0;
        for (var step = 0; step < _options.RefineSteps && stale < _options.RefinePatience; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();

                // the generation's own noise, so the step optimises the image the user gets
                var noise = randn(LatentShape(1), generator: new Generator((ulong)seed)).to(_pipeline.Device);
                var loss = Loss(negative.Embedding, [prompt], noise, _timesteps.Length - 1 - (step % _options.LateSteps));
                loss.backward();
                optimizer.step();
            }

            var reward = Rewards(negative.Embedding.detach(), [prompt], [seed])[0];
            trace.Add(reward);
            if (reward > bestReward)
            {
                bestReward = reward;
                best.Dispose();
                best = negative.Embedding.detach().clone();
                stale = 0;
            }
            else
            {
                stale++;
            }
        }

        return (best, trace);
    }

    private long[] LatentShape(int batch) =>
        [batch, _pipeline.UNet.Config.InChannels, _pipeline.UNet.Config.SampleSize, _pipeline.UNet.Config.SampleSize];

    private Tensor Guided(Tensor x, Tensor t, Tensor cond, Tensor negative)
    {
        var uncond = negative.unsqueeze(0).expand(cond.shape[0], -1, -1);               // (B, T, D)
        var both = _pipeline.UNet.forward(cat([x, x], 0), cat([t, t], 0), cat([uncond, cond], 0)); // (2B, C, h, w)
        var parts = both.chunk(2, 0);
        return parts[0] + (_options.Guidance * (parts[1] - parts[0]));
    }

    // deterministic DDIM (Song et al. 2021, eq. 12 with σ = 0) from x_T to the input of timestep index `until`, no gradient
    private Tensor Rollout(Tensor noise, Tensor cond, Tensor negative, int until)
    {
        using var noGrad = no_grad();
        Denoiser denoiser = (x, t) => Guided(x, t, cond, negative);
        return Sampling.Run(SamplerKind.Ddim, _pipeline.Schedule, denoiser, noise, _options.SamplingSteps, options: new SamplingOptions { StopBeforeStep = until }).detach();
    }
}
