using MediaStudio.Diffusion.Autoencoder;
using MediaStudio.Diffusion.Clip;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Diffusion.UNet;
using MediaStudio.Neural.Training;
using MediaStudio.Synthetic.Recognition;
using MediaStudio.Synthetic.Scenes;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Training;

/// <summary>
/// Trains the UNet on frozen autoencoder latents and CLIP token states of world renders and their captions; the CLIP text
/// tower is frozen, or trained with the UNet (GLIDE trains its text transformer jointly with the diffusion model).
/// </summary>
/// <remarks>
/// Loss (per sample, then averaged): w(t) · ‖f_θ(x_t, t, c) − target(x_0, ε, t)‖², with x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε,
/// the target ε or v by the schedule's prediction type, and w(t) the min-SNR-γ weight (Hang et al. 2023, eq. 9/10).
/// A fraction of captions is replaced by the empty prompt so one model serves both branches of guidance.
/// The conditioning gap (loss with the empty prompt minus loss with the real one, relative, at high noise) shows
/// whether the model reads its prompt at all (see shared/notes/diffusion-calibration.md).
/// </remarks>
public sealed class TextToImageTraining
{
    private readonly AutoencoderKL _autoencoder;
    private readonly ClipModel _clip;
    private readonly UNet2DConditionModel _unet;
    private readonly NoiseSchedule _schedule;
    private readonly UNetRecipe _recipe;

    /// <summary>Prepares a training run: the UNet (and the text tower when asked) trains; the autoencoder and the rest of
    /// CLIP stay frozen.</summary>
    /// <param name="autoencoder">Encodes the renders to latents.</param>
    /// <param name="clip">Its text tower conditions the UNet.</param>
    /// <param name="unet">The model trained.</param>
    /// <param name="schedule">The noise schedule.</param>
    /// <param name="recipe">Batch, dropout and loss settings.</param>
    /// <param name="trainTextEncoder">Train the CLIP text tower with the UNet; false keeps it frozen.</param>
    public TextToImageTraining(AutoencoderKL autoencoder, ClipModel clip, UNet2DConditionModel unet, NoiseSchedule schedule, UNetRecipe recipe, bool trainTextEncoder = false)
    {
        ArgumentNullException.ThrowIfNull(clip);
        ArgumentNullException.ThrowIfNull(unet);
        _autoencoder = autoencoder;
        _clip = clip;
        _unet = unet;
        _schedule = schedule;
        _recipe = recipe;
        TrainsTextEncoder = trainTextEncoder;
        foreach (var frozen in new nn.Module[] { autoencoder, clip })
        {
            frozen.eval();
            foreach (var p in frozen.parameters())
            {
                p.requires_grad = false;
            }
        }

        var trained = trainTextEncoder ? unet.parameters().Concat(clip.TextModel.parameters()) : unet.parameters();
        foreach (var p in trained)
        {
            p.requires_grad = true;
        }
    }

    /// <summary>Gets whether the CLIP text tower is trained with the UNet.</summary>
    public bool TrainsTextEncoder { get; }

    /// <summary>Latents, captions and loss weights for the scenes of one step (no gradient).</summary>
    /// <returns>Latents (B, C, h, w); the captions, with dropout to the empty prompt applied; and the per-pixel loss weights
    /// (B, 1, h, w) when the recipe weights objects, else null.</returns>
    public (Tensor Latents, IReadOnlyList<string> Captions, Tensor? Weights) Batch(long step, bool dropout = true)
    {
        using var noGrad = no_grad();
        var scenes = Enumerable.Range(0, _recipe.BatchSize)
            .Select(i => TextToImageData.Scene((long)(TrainingSeed.ForStep(_recipe.Seed, step) >> 2) + i, _recipe.SingleObjectRate, _recipe.DegradationRate))
            .ToList();
        var size = _autoencoder.Config.SampleSize;
        var images = SceneRecognizer.ToBatch([.. scenes.Select(s => SceneRendering.Render(s, size, size))], size);
        var prompted = scenes.Select(s => (SceneLabel?)s.Label).ToList();
        var captions = scenes.Select(TextToImageData.Caption).ToList();
        if (dropout && _recipe.ConditionDropout > 0)
        {
            var rng = new Random(unchecked((int)TrainingSeed.ForStep(_recipe.Seed ^ 0x5EED, step)));
            for (var i = 0; i < captions.Count; i++)
            {
                if (rng.NextDouble() < _recipe.ConditionDropout)
                {
                    (captions[i], prompted[i]) = ("", null);
                }
            }
        }

        var latents = _autoencoder.EncodeLatents(images);
        return (latents, captions, _recipe.ObjectWeight > 0 ? PromptObjectWeights(prompted, size, _autoencoder.Config.DownsampleFactor, _recipe.ObjectWeight) : null);
    }

    /// <summary>Per-latent-pixel loss weights from the prompt: 1 + λ_o on the cells of a disk about each object's region
    /// centre, as large as its size class can be drawn plus the layout's jitter, 1 elsewhere and everywhere for an empty
    /// prompt.</summary>
    /// <remarks>
    /// The weights depend on the prompt only, never on the rendered image, so the loss's minimiser is still the posterior
    /// mean E[x_0 | x_t, c]. Weights read from the image's instance map (as the autoencoder's loss uses them) tilt it: at
    /// every pixel the odds of "an object is here" grow by 1 + λ_o, and the model draws the object at every place it
    /// is unsure of (a first run with them drew two to four copies of a single object).
    /// </remarks>
    /// <param name="labels">The prompt's scene label per sample; null for an empty prompt.</param>
    /// <param name="size">Side of the renders in pixels.</param>
    /// <param name="factor">The autoencoder's downsample factor.</param>
    /// <param name="objectWeight">λ_o.</param>
    /// <returns>(B, 1, S / f, S / f).</returns>
    public static Tensor PromptObjectWeights(IReadOnlyList<SceneLabel?> labels, int size, int factor, double objectWeight)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var pixels = new float[labels.Count * size * size];
        Array.Fill(pixels, 1f);
        var jitter = SceneLayout.PositionJitter * size * Math.Sqrt(2);
        for (var b = 0; b < labels.Count; b++)
        {
            foreach (var spec in labels[b]?.Objects ?? [])
            {
                var (fx, fy) = SceneLayout.RegionCentre(spec.Region);
                var radius = (SceneLayout.SizeFraction(spec.Size) * size * SceneLayout.MaxRadiusScale) + jitter + 1;
                for (var y = 0; y < size; y++)
                {
                    for (var x = 0; x < size; x++)
                    {
                        var (dx, dy) = (x + 0.5 - (fx * size), y + 0.5 - (fy * size));
                        if ((dx * dx) + (dy * dy) <= radius * radius)
                        {
                            pixels[(((b * size) + y) * size) + x] = (float)(1 + objectWeight);
                        }
                    }
                }
            }
        }

        using var full = tensor(pixels).view(labels.Count, 1, size, size);
        return nn.functional.max_pool2d(full, factor);                               // (B, 1, S / f, S / f)
    }

    /// <summary>The (B, T, D) text states of the captions; with the text tower's graph when it is trained.</summary>
    public Tensor Context(IReadOnlyList<string> captions) => _clip.EncodePromptTokens(captions, withGradient: TrainsTextEncoder);

    /// <summary>The weighted denoising loss of one batch.</summary>
    /// <param name="latents">(B, C, h, w) clean latents.</param>
    /// <param name="context">(B, T, D) text states.</param>
    /// <param name="timesteps">(B) int64 times, or null to draw them uniformly from the global generator.</param>
    /// <param name="noise">Noise like the latents, or null to draw it.</param>
    /// <param name="weights">Per-pixel weights (B, 1, h, w) of each sample's squared error, normalised per sample; null is
    /// the plain mean.</param>
    /// <returns>Scalar loss with its graph.</returns>
    public Tensor Loss(Tensor latents, Tensor context, Tensor? timesteps = null, Tensor? noise = null, Tensor? weights = null)
    {
        using var scope = NewDisposeScope();
        var batch = latents.shape[0];
        var t = timesteps ?? randint(0, _schedule.Config.NumTrainTimesteps, [batch], dtype: ScalarType.Int64, device: latents.device);
        var eps = noise ?? randn_like(latents);
        var noisy = _schedule.AddNoise(latents, eps, t);                            // (B, C, h, w)
        var target = _schedule.Target(latents, eps, t);                            // (B, C, h, w)
        var prediction = _unet.forward(noisy, t, context);                         // (B, C, h, w)
        var error = (prediction - target).square();                                // (B, C, h, w)
        var perSample = weights is null
            ? error.mean([1, 2, 3])
            : (error * weights).mean([1, 2, 3]) / weights.mean([1, 2, 3]);        // (B)
        var snr = _recipe.MinSnrGamma > 0 ? _schedule.MinSnrLossWeights(t, _recipe.MinSnrGamma) : ones_like(perSample);
        return (snr.to(perSample.dtype) * perSample).mean().MoveToOuterDisposeScope();
    }

    /// <summary>Relative conditioning gap at high noise on a fixed held-out batch: (L_empty − L_prompt) / L_empty.</summary>
    /// <remarks>Near zero means the model ignores its prompt, whatever its loss.</remarks>
    public double ConditioningGap(int samples = 32)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var held = TextToImageData.HeldOutPrompts(samples, singleObject: true);
        var images = SceneRecognizer.ToBatch(Pipelines.TextToImageEvaluation.TrueRenders(held), 64);
        var latents = _autoencoder.EncodeLatents(images);
        var context = _clip.EncodePromptTokens([.. held.Select(p => p.Prompt)]);
        var generator = new Generator(1234);
        var t = randint(600, _schedule.Config.NumTrainTimesteps, [samples], generator: generator, dtype: ScalarType.Int64);
        var noise = randn(latents.shape, generator: generator);
        var wasTraining = _unet.training;
        _unet.eval();
        var withPrompt = Loss(latents, context, t, noise).item<float>();
        var withEmpty = Loss(latents, _clip.EncodePromptTokens([""]).expand(samples, -1, -1), t, noise).item<float>();
        _unet.train(wasTraining);
        return withEmpty > 0 ? (withEmpty - withPrompt) / withEmpty : 0;
    }

    /// <summary>Draws held-out single-object prompts with the UNet as it is now (DDIM, 20 steps, guidance 5), one row.</summary>
    /// <param name="count">Images in the grid.</param>
    /// <returns>The images, in prompt order, and their prompts.</returns>
    public (IReadOnlyList<Media.Images.RgbImage> Images, IReadOnlyList<string> Prompts) Samples(int count = 8)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var prompts = TextToImageData.HeldOutPrompts(count, singleObject: true).Select(p => p.Prompt).ToList();
        var cond = _clip.EncodePromptTokens(prompts);
        var empty = _clip.EncodePromptTokens([""]).expand(count, -1, -1);
        var noise = randn([count, _unet.Config.InChannels, _unet.Config.SampleSize, _unet.Config.SampleSize], generator: new Generator(99));
        var wasTraining = _unet.training;
        _unet.eval();
        var latents = Pipelines.TextToImagePipeline.Sample(_unet, _schedule, cond, empty, noise, SamplerKind.Ddim, 20, 5, null);
        _unet.train(wasTraining);
        return (Pipelines.ImageTensors.ToImages(_autoencoder.DecodeLatents(latents)), prompts);
    }
}
