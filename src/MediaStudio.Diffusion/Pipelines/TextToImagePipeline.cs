using MediaStudio.Diffusion.Autoencoder;
using MediaStudio.Diffusion.Clip;
using MediaStudio.Diffusion.Negatives;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Diffusion.UNet;
using System.Text.Json;
using MediaStudio.Media.Images;
using MediaStudio.Neural.Checkpoints;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Pipelines;

/// <summary>
/// Text to image in the Stable Diffusion layout: the CLIP text tower encodes the prompt, the UNet denoises a latent
/// under classifier-free guidance, the KL autoencoder decodes it.
/// </summary>
/// <remarks>
/// Model folders: <c>autoencoder/</c>, <c>clip/</c>, <c>unet/</c> (with <c>scheduler.json</c>) under one root, each
/// loaded strictly after its SHA-256 check. A UNet trained together with the text tower carries that tower in its folder
/// (<see cref="TextEncoderFileName"/>, GLIDE's joint text transformer); it replaces <c>clip/</c>'s text tower here. The unconditional branch takes the empty prompt, a negative prompt or a
/// learned negative embedding (<see cref="NegativeKind"/>). Image i uses its own generator seeded with seed + i, so the
/// same seed and settings give the same image whatever the batch.
/// </remarks>
public sealed class TextToImagePipeline : IDisposable
{
    /// <summary>The scheduler file in the UNet folder.</summary>
    public const string SchedulerFileName = "scheduler.json";

    /// <summary>The text tower trained with the UNet, in the UNet folder (absent when the UNet read the CLIP tower frozen).</summary>
    public const string TextEncoderFileName = "text_encoder.safetensors";

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    private readonly Lazy<Tensor> _emptyPrompt;

    /// <summary>Assembles a pipeline from loaded models; it takes ownership of them.</summary>
    public TextToImagePipeline(AutoencoderKL autoencoder, ClipModel clip, UNet2DConditionModel unet, NoiseSchedule schedule, Device device)
    {
        Autoencoder = autoencoder;
        Clip = clip;
        UNet = unet;
        Schedule = schedule;
        Device = device;
        foreach (var module in new nn.Module[] { autoencoder, clip, unet })
        {
            module.eval();
            foreach (var p in module.parameters())
            {
                p.requires_grad = false;
            }
        }

        _emptyPrompt = new Lazy<Tensor>(() => EncodePrompts([""]).squeeze(0).DetachFromDisposeScope());
    }

    /// <summary>Gets the autoencoder.</summary>
    public AutoencoderKL Autoencoder { get; }

    /// <summary>Gets the CLIP model whose text tower conditions the UNet.</summary>
    public ClipModel Clip { get; }

    /// <summary>Gets the UNet.</summary>
    public UNet2DConditionModel UNet { get; }

    /// <summary>Gets the noise schedule the UNet was trained with.</summary>
    public NoiseSchedule Schedule { get; }

    /// <summary>Gets the device the models run on.</summary>
    public Device Device { get; }

    /// <summary>Gets the SHA-256 of the text tower's weights when the pipeline was loaded from a models folder (see
    /// <see cref="TextEncoderSha256"/>); null for one assembled in memory.</summary>
    public string? TextEncoderHash { get; init; }

    /// <summary>Gets the (T, D) token states of the empty prompt: plain CFG's unconditional input and ReNeg's start.</summary>
    public Tensor EmptyPromptStates => _emptyPrompt.Value;

    /// <summary>Gets the pixel multiple an output size must have (autoencoder factor x UNet downsampling).</summary>
    public int PixelMultiple => Autoencoder.Config.DownsampleFactor * (1 << (UNet.Config.BlockOutChannels.Count - 1));

    /// <summary>Picks CUDA when torch reports it, else the CPU.</summary>
    public static Device DefaultDevice() => cuda.is_available() ? CUDA : CPU;

    /// <summary>Loads the three models from <paramref name="modelsRoot"/> (e.g. <c>models</c>).</summary>
    public static TextToImagePipeline Load(string modelsRoot, Device? device = null)
    {
        device ??= DefaultDevice();
        var unetFolder = Path.Combine(modelsRoot, "unet");
        var schedule = LoadSchedule(unetFolder);
        AutoencoderKL? autoencoder = null;
        ClipModel? clip = null;
        try
        {
            autoencoder = AutoencoderKL.FromPretrained(Path.Combine(modelsRoot, "autoencoder"), device);
            clip = ClipModel.FromPretrained(Path.Combine(modelsRoot, "clip"), device);
            LoadTextEncoder(unetFolder, clip);
            var unet = UNet2DConditionModel.FromPretrained(unetFolder, device);
            return new TextToImagePipeline(autoencoder, clip, unet, schedule, device) { TextEncoderHash = TextEncoderSha256(modelsRoot) };
        }
        catch
        {
            autoencoder?.Dispose();
            clip?.Dispose();
            throw;
        }
    }

    /// <summary>Writes a UNet folder: config, weights, card, <c>scheduler.json</c>, the text tower trained with it if any,
    /// and a manifest over all but the card.</summary>
    /// <param name="folder">Target folder.</param>
    /// <param name="unet">The UNet.</param>
    /// <param name="schedule">Its noise schedule.</param>
    /// <param name="card">Model card; a default one when null.</param>
    /// <param name="textEncoder">The CLIP text tower trained with the UNet; null when it read the bundled tower frozen.</param>
    public static void SaveUNet(string folder, UNet2DConditionModel unet, NoiseSchedule schedule, string? card = null, ClipTextEncoder? textEncoder = null)
    {
        ArgumentNullException.ThrowIfNull(unet);
        ArgumentNullException.ThrowIfNull(schedule);
        ModelFolder.Save(folder, unet, unet.Config, card);
        AtomicFile.WriteAllText(Path.Combine(folder, SchedulerFileName), JsonSerializer.Serialize(schedule.Config, IndentedJson) + "\n");
        var textPath = Path.Combine(folder, TextEncoderFileName);
        List<string> listed = [ModelFolder.ConfigFileName, ModelFolder.WeightsFileName, SchedulerFileName];
        if (textEncoder is null)
        {
            File.Delete(textPath);
        }
        else
        {
            SafeTensors.Save(textPath, textEncoder.state_dict(), new Dictionary<string, string> { ["format"] = "pt", ["model"] = nameof(ClipTextEncoder) });
            listed.Add(TextEncoderFileName);
        }

        Sha256Manifest.Write(folder, listed);
    }

    /// <summary>Loads the text tower a UNet folder carries into <paramref name="clip"/>, strictly and after its SHA-256 check.</summary>
    /// <returns>False when the folder's manifest lists no text tower (the UNet reads <paramref name="clip"/>'s own).</returns>
    /// <exception cref="CheckpointException">The file is altered, missing though listed, or does not fit the tower.</exception>
    public static bool LoadTextEncoder(string unetFolder, ClipModel clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        if (!Sha256Manifest.Read(unetFolder).ContainsKey(TextEncoderFileName))
        {
            return false;
        }

        Sha256Manifest.Verify(unetFolder, TextEncoderFileName);
        using var scope = NewDisposeScope();
        StateDict.LoadStrict(clip.TextModel, SafeTensors.Load(Path.Combine(unetFolder, TextEncoderFileName)), $"{unetFolder}/{TextEncoderFileName}");
        return true;
    }

    /// <summary>The SHA-256 of the text tower that conditions the UNet under <paramref name="modelsRoot"/>: the one in the
    /// UNet folder when it carries one, else <c>clip/</c>'s weights.</summary>
    public static string? TextEncoderSha256(string modelsRoot)
    {
        var unet = Sha256Manifest.Read(Path.Combine(modelsRoot, "unet"));
        return unet.TryGetValue(TextEncoderFileName, out var hash)
            ? hash
            : Sha256Manifest.Read(Path.Combine(modelsRoot, "clip")).GetValueOrDefault(ModelFolder.WeightsFileName);
    }

    /// <summary>Writes the three model folders under <paramref name="modelsRoot"/> (as <see cref="Load"/> reads them).</summary>
    public void Save(string modelsRoot)
    {
        ModelFolder.Save(Path.Combine(modelsRoot, "autoencoder"), Autoencoder, Autoencoder.Config);
        Clip.Save(Path.Combine(modelsRoot, "clip"));
        SaveUNet(Path.Combine(modelsRoot, "unet"), UNet, Schedule);
    }

    /// <summary>Reads <c>scheduler.json</c> from a UNet folder after checking its SHA-256.</summary>
    /// <exception cref="CheckpointException">The file is missing, altered or not a schedule.</exception>
    public static NoiseSchedule LoadSchedule(string unetFolder)
    {
        Sha256Manifest.Verify(unetFolder, SchedulerFileName);
        try
        {
            var config = JsonSerializer.Deserialize<NoiseScheduleConfig>(File.ReadAllText(Path.Combine(unetFolder, SchedulerFileName)))
                ?? throw new CheckpointException($"{unetFolder}/{SchedulerFileName} is empty");
            config.Validate();
            return new NoiseSchedule(config);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new CheckpointException($"{unetFolder}/{SchedulerFileName}: {e.Message}", e);
        }
    }

    /// <summary>Encodes prompts to the UNet's context, (B, T, D), without gradient.</summary>
    public Tensor EncodePrompts(IReadOnlyList<string> prompts)
    {
        using var noGrad = no_grad();
        return Clip.EncodePromptTokens(prompts);
    }

    /// <summary>Checks a learned negative embedding fits this pipeline's text encoder: its shape and, when both are known,
    /// the encoder it was trained for.</summary>
    /// <exception cref="ArgumentException">It does not; the message says why and how to train one that does.</exception>
    public void EnsureFits(NegativeEmbedding embedding)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        embedding.EnsureFits(EmptyPromptStates.shape[0], EmptyPromptStates.shape[1], TextEncoderHash);
    }

    /// <summary>Builds the (1, T, D) unconditional context a request asks for.</summary>
    /// <exception cref="ArgumentException">A learned embedding does not fit this text encoder.</exception>
    public Tensor UnconditionalContext(TextToImageRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        switch (request.Negative)
        {
            case NegativeKind.Prompt:
                return EncodePrompts([request.NegativePrompt!]);
            case NegativeKind.Embedding:
                var states = request.Embedding!.States;
                EnsureFits(request.Embedding);
                return states.to(Device).unsqueeze(0);
            default:
                return EmptyPromptStates.unsqueeze(0);
        }
    }

    /// <summary>Draws the request's images.</summary>
    /// <param name="request">Prompt, negative input, seed and sampler settings.</param>
    /// <param name="onStep">Called after every sampler step; may throw to stop (cancellation).</param>
    /// <param name="cancellationToken">Checked after every sampler step.</param>
    /// <returns>The images, in seed order.</returns>
    public IReadOnlyList<RgbImage> Generate(TextToImageRequest request, Action<GenerationStep>? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate(PixelMultiple);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var cond = EncodePrompts([request.Prompt]);
        var uncond = UnconditionalContext(request);

        // deterministic samplers batch every image; ancestral ones draw per-step noise, so each image gets its own run
        var batch = request.Sampler is SamplerKind.Ddpm or SamplerKind.EulerAncestral ? 1 : request.Count;
        var images = new List<RgbImage>(request.Count);
        for (var first = 0; first < request.Count; first += batch)
        {
            var n = Math.Min(batch, request.Count - first);
            var start = first;
            var latents = SampleLatents(cond, uncond, request, start, n, (step, x0) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                onStep?.Invoke(new GenerationStep(start, request.Count, step, request.Steps, () => PreviewOf(x0)));
            });
            images.AddRange(ImageTensors.ToImages(Autoencoder.DecodeLatents(latents)));
        }

        return images;
    }

    /// <summary>Samples latents for images <paramref name="first"/> .. first + count - 1 of a request.</summary>
    /// <param name="cond">(1, T, D) prompt states.</param>
    /// <param name="uncond">(1, T, D) unconditional states.</param>
    /// <param name="request">Seed, sampler, steps, guidance, size.</param>
    /// <param name="first">Index of the first image (its seed is request.Seed + first).</param>
    /// <param name="count">Images in this batch.</param>
    /// <param name="onStep">Receives the step count and the current clean-latent estimate.</param>
    /// <returns>(count, C, h, w) latents.</returns>
    public Tensor SampleLatents(Tensor cond, Tensor uncond, TextToImageRequest request, int first, int count, Action<int, Tensor>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var factor = Autoencoder.Config.DownsampleFactor;
        long[] shape = [1, UNet.Config.InChannels, request.Height / factor, request.Width / factor];
        var generator = new Generator((ulong)(request.Seed + first), Device);
        var noise = cat([.. Enumerable.Range(first, count).Select(i => randn(shape, generator: SeededGenerator(request.Seed + i)).to(Device))], 0);
        return Sample(UNet, Schedule, cond.expand(count, -1, -1), uncond.expand(count, -1, -1), noise, request.Sampler, request.Steps, request.Guidance, generator, onStep);
    }

    /// <summary>Guided sampling with any UNet (also one in training): the shared core of generation and training previews.</summary>
    /// <param name="unet">The denoiser.</param>
    /// <param name="schedule">Its noise schedule.</param>
    /// <param name="cond">(B, T, D) prompt states.</param>
    /// <param name="uncond">(B, T, D) unconditional states.</param>
    /// <param name="noise">(B, C, h, w) starting noise.</param>
    /// <param name="sampler">Sampler kind.</param>
    /// <param name="steps">Sampler steps.</param>
    /// <param name="guidance">Guidance scale.</param>
    /// <param name="generator">Noise source of stochastic samplers.</param>
    /// <param name="onStep">Receives the step count and the current clean-latent estimate.</param>
    /// <returns>(B, C, h, w) latents. Latents are not clamped: their range is the autoencoder's, not [-1, 1].</returns>
    public static Tensor Sample(
        UNet2DConditionModel unet, NoiseSchedule schedule, Tensor cond, Tensor uncond, Tensor noise,
        SamplerKind sampler, int steps, double guidance, Generator? generator, Action<int, Tensor>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(unet);
        var denoiser = ClassifierFreeGuidance.Create((x, t, context) => unet.forward(x, t, context), cond, uncond, guidance);
        return Sampling.Run(sampler, schedule, denoiser, noise, steps, generator, new SamplingOptions(), s => onStep?.Invoke(s.Index + 1, s.PredictedOriginal));
    }

    /// <summary>Disposes the models and cached states.</summary>
    public void Dispose()
    {
        if (_emptyPrompt.IsValueCreated)
        {
            _emptyPrompt.Value.Dispose();
        }

        UNet.Dispose();
        Clip.Dispose();
        Autoencoder.Dispose();
    }

    private static Generator SeededGenerator(long seed) => new((ulong)seed, CPU);

    private RgbImage PreviewOf(Tensor x0)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return ImageTensors.ToImages(Autoencoder.DecodeLatents(x0.narrow(0, 0, 1)))[0];
    }
}
