using MediaStudio.Language.Generation;
using MediaStudio.Language.Tokenization;
using MediaStudio.Media.Images;
using static TorchSharp.torch;

namespace MediaStudio.Language.Captioning;

/// <summary>Captions images and clips with a trained captioner folder (e.g. models/captioner-student).</summary>
/// <remarks>
/// Images of any size are resized to the vision tower's input; a clip's frames are sampled evenly over time
/// (first and last included) to <see cref="CaptionerConfig.ClipFrames"/>, and to the motion tower's own count when it
/// differs (<see cref="CaptionerConfig.MotionReadsOwnFrames"/>). Calls are serialised: one pipeline
/// can be shared by several callers. Deterministic for given inputs and <see cref="GenerationOptions"/>.
/// </remarks>
public sealed class CaptionPipeline : IDisposable
{
    private readonly CaptionerModel _model;
    private readonly CaptionPipelineOptions _options;
    private readonly Lock _gate = new();

    private CaptionPipeline(CaptionerModel model, CaptionTokenizer tokenizer, CaptionPipelineOptions options)
    {
        _model = model;
        Tokenizer = tokenizer;
        _options = options;
    }

    /// <summary>Gets the model.</summary>
    public CaptionerModel Model => _model;

    /// <summary>Gets the tokenizer.</summary>
    public CaptionTokenizer Tokenizer { get; }

    /// <summary>Gets the most samples decoded together.</summary>
    public int MaxBatch => _options.MaxBatch;

    /// <summary>Loads a captioner folder (hashes checked, weights loaded strictly).</summary>
    public static CaptionPipeline Load(string folder, CaptionPipelineOptions? options = null)
    {
        options ??= new CaptionPipelineOptions();
        options.Validate();
        var (model, tokenizer) = CaptionerFolder.Load(folder);
        return new CaptionPipeline(model, tokenizer, options);
    }

    /// <summary>Wraps an in-memory model (training and evaluation use this).</summary>
    public static CaptionPipeline FromModel(CaptionerModel model, CaptionTokenizer tokenizer, CaptionPipelineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        options ??= new CaptionPipelineOptions();
        options.Validate();
        return new CaptionPipeline(model, tokenizer, options);
    }

    /// <summary>Returns the frame indices a clip of <paramref name="frameCount"/> frames is sampled at.</summary>
    public static int[] SampleFrames(int frameCount, int samples) => Synthetic.Clips.ClipRenderer.EvenFrames(frameCount, samples);

    /// <summary>Captions images, one caption each.</summary>
    public IReadOnlyList<string> CaptionImages(IReadOnlyList<RgbImage> images, GenerationOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Caption([.. images.Select(i => (IReadOnlyList<RgbImage>)[i])], options, cancellationToken);
    }

    /// <summary>Captions one clip from its frames: what is where and how it moves.</summary>
    public string CaptionClip(IReadOnlyList<RgbImage> frames, GenerationOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
        {
            throw new ArgumentException("a clip needs at least one frame", nameof(frames));
        }

        var config = _model.Config;
        var picked = SampleFrames(frames.Count, config.ClipFrames).Select(i => frames[i]).ToList();
        IReadOnlyList<RgbImage>? motion = config.MotionReadsOwnFrames ? [.. SampleFrames(frames.Count, config.Motion!.Frames).Select(i => frames[i])] : null;
        return Caption([picked], options, cancellationToken, motion is null ? null : [motion])[0];
    }

    /// <summary>Captions samples that each have the same number of frames (1 for images); batched up to <see cref="CaptionPipelineOptions.MaxBatch"/>.</summary>
    /// <param name="samples">Each sample's frames.</param>
    /// <param name="options">Decoding options.</param>
    /// <param name="cancellationToken">Checked between batches and tokens.</param>
    /// <param name="motionSamples">As for <see cref="Generate"/>: each clip's frames for a motion tower of its own frame count, else null.</param>
    public IReadOnlyList<string> Caption(
        IReadOnlyList<IReadOnlyList<RgbImage>> samples, GenerationOptions options, CancellationToken cancellationToken, IReadOnlyList<IReadOnlyList<RgbImage>>? motionSamples = null) =>
        [.. Generate(samples, options, cancellationToken, motionSamples).Tokens.Select(t => Tokenizer.Decode(t).Trim())];

    /// <summary>Generates token ids for samples with equal frame counts; the timing is summed over batches.</summary>
    /// <param name="samples">Each sample's frames (one for an image).</param>
    /// <param name="options">Decoding options.</param>
    /// <param name="cancellationToken">Checked between batches and tokens.</param>
    /// <param name="motionSamples">For clips of a captioner whose motion tower samples its own frame count, each clip's frames for the tower; else null.</param>
    public GenerationResult Generate(
        IReadOnlyList<IReadOnlyList<RgbImage>> samples, GenerationOptions options, CancellationToken cancellationToken, IReadOnlyList<IReadOnlyList<RgbImage>>? motionSamples = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (samples.Count == 0)
        {
            return new GenerationResult([], TimeSpan.Zero, TimeSpan.Zero, 0);
        }

        var frames = samples[0].Count;
        if (samples.Any(s => s.Count != frames))
        {
            throw new ArgumentException("every sample of one call needs the same number of frames", nameof(samples));
        }

        if (motionSamples is not null && motionSamples.Count != samples.Count)
        {
            throw new ArgumentException($"{motionSamples.Count} motion frame sets for {samples.Count} samples", nameof(motionSamples));
        }

        lock (_gate)
        {
            var tokens = new List<IReadOnlyList<int>>();
            var (first, total, steps) = (TimeSpan.Zero, TimeSpan.Zero, 0);
            for (var start = 0; start < samples.Count; start += _options.MaxBatch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var chunk = samples.Skip(start).Take(_options.MaxBatch).ToList();
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                _model.eval();
                var size = _model.Config.Vision.ImageSize;
                var pixels = CaptionerModel.ToClipPixels(chunk, size);                                                       // (B, F, 3, S, S)
                var motion = motionSamples is null ? null : CaptionerModel.ToClipPixels([.. motionSamples.Skip(start).Take(_options.MaxBatch)], size); // (B, F_m, 3, S, S)
                var prompt = _model.Prompt(pixels, Tokenizer.Image, Tokenizer.BeginOfText, motion);                            // (B, P, D)
                var result = TextGenerator.Generate(_model.LanguageModel, prompt, options, [Tokenizer.EndOfText], Tokenizer.Padding, _options.UseKvCache, cancellationToken);
                tokens.AddRange(result.Tokens);
                first = start == 0 ? result.TimeToFirstToken : first;
                total += result.Elapsed;
                steps += result.Steps;
            }

            return new GenerationResult(tokens, first, total, steps);
        }
    }

    public void Dispose() => _model.Dispose();
}
