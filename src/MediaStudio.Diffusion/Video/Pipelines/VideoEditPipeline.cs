using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Diffusion.Video.Editor;
using MediaStudio.Diffusion.Video.Flow;
using MediaStudio.Diffusion.Video.Motion;
using MediaStudio.Media.Images;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Pipelines;

/// <summary>
/// Image-guided video editing (IVEDiff): the frame-1 mask is propagated through the clip, then the reference editor,
/// inflated with motion modules and the flow-guided motion reference when their folders exist, denoises the clip in
/// overlapping chunks under classifier-free guidance on the reference.
/// </summary>
/// <remarks>
/// Notation: S the model side, F_c the frames of a chunk, s_f the source frames and m_f the masks at S², R the reference.
/// 1. masks at the input size (<see cref="PropagateMask"/>), resized to S² (a cell is in when ≥ ¼ of it is) and dilated by one
///    cell; with <see cref="EditMaskShape.Box"/> each becomes its bounding box, so a new shape has room;
/// 2. flows between consecutive source frames at S² (<see cref="EstimateFlow"/>) when the motion reference is loaded;
/// 3. one N(0, I) noise image shared by every frame (papers-media.md §1 pitfalls: independent noise flickers);
/// 4. per chunk, DDIM over all its frames at once: ε̂ = ε_∅ + g (ε_R − ε_∅) with the null tokens (and a zero hint) as ∅;
///    an editor with <see cref="ReferenceEditorConfig.ReferenceHint"/> also reads R placed in each frame's mask box;
/// 5. overlapping frames are blended with linear ramps; the result is resized back and, with paste-back, the source is
///    kept outside the (dilated) mask. Only one chunk's activations exist at a time, so memory is flat in clip length.
/// Progress is reported per chunk and step; cancellation is checked before every step.
/// </remarks>
public sealed class VideoEditPipeline : IDisposable
{
    /// <summary>The editor's folder under the models root.</summary>
    public const string EditorFolder = "video-editor";

    /// <summary>The motion modules' folder under the models root.</summary>
    public const string MotionFolder = "video-motion";

    /// <summary>The motion reference's folder under the models root.</summary>
    public const string MotionReferenceFolder = "video-motion-reference";

    /// <summary>Assembles a pipeline from loaded modules; it takes ownership and freezes them.</summary>
    public VideoEditPipeline(ReferenceEditor editor, MotionModules? motion = null, MotionReference? reference = null)
    {
        ArgumentNullException.ThrowIfNull(editor);
        Editor = editor;
        Motion = motion;
        Reference = reference;
        Schedule = new NoiseSchedule(editor.Config.Schedule);
        foreach (var module in new nn.Module?[] { editor, motion, reference })
        {
            if (module is null)
            {
                continue;
            }

            module.eval();
            foreach (var p in module.parameters())
            {
                p.requires_grad = false;
            }
        }
    }

    /// <summary>Gets the reference editor.</summary>
    public ReferenceEditor Editor { get; }

    /// <summary>Gets the motion modules, or null for per-frame editing.</summary>
    public MotionModules? Motion { get; }

    /// <summary>Gets the motion reference network, or null.</summary>
    public MotionReference? Reference { get; }

    /// <summary>Gets the editor's noise schedule.</summary>
    public NoiseSchedule Schedule { get; }

    /// <summary>Gets the model side S.</summary>
    public int Size => Editor.Config.ImageSize;

    /// <summary>Gets the mask propagation: (frames, frame-1 mask, cancellation) → one 0/255 mask per frame at the frames' size.</summary>
    /// <remarks>Defaults to <see cref="MaskPropagation"/> on the <see cref="FlowEstimator"/>.</remarks>
    public Func<IReadOnlyList<RgbImage>, byte[], CancellationToken, IReadOnlyList<byte[]>> PropagateMask { get; init; } = (frames, first, ct) => new MaskPropagation().Propagate(frames, first, ct);

    /// <summary>Gets a name for <see cref="PropagateMask"/>, for reports.</summary>
    public string MaskPropagationName { get; init; } = "MaskPropagation (TV-L1 FlowEstimator)";

    /// <summary>Gets the flow estimator: (from, to) (B, 3, S, S) in [-1, 1] → flow from → to (B, 2, S, S) in pixels; needed by the motion reference.</summary>
    /// <remarks>Defaults to <see cref="FlowEstimator.Estimate"/>.</remarks>
    public Func<Tensor, Tensor, Tensor>? EstimateFlow { get; init; } = new FlowEstimator().Estimate;

    /// <summary>Loads <c>video-editor</c> and, when present, <c>video-motion</c> and <c>video-motion-reference</c> under <paramref name="modelsRoot"/>.</summary>
    public static VideoEditPipeline Load(string modelsRoot) => Load(modelsRoot, motion: true, reference: true);

    /// <summary>Loads the editor and the chosen optional modules (an ablation leaves some out).</summary>
    public static VideoEditPipeline Load(string modelsRoot, bool motion, bool reference)
    {
        var editor = ReferenceEditor.FromPretrained(Path.Combine(modelsRoot, EditorFolder));
        var motionPath = Path.Combine(modelsRoot, MotionFolder);
        var referencePath = Path.Combine(modelsRoot, MotionReferenceFolder);
        var motionModules = motion && File.Exists(Path.Combine(motionPath, "config.json")) ? MotionModules.FromPretrained(motionPath) : null;
        var motionReference = reference && File.Exists(Path.Combine(referencePath, "config.json")) ? MotionReference.FromPretrained(referencePath) : null;
        return new VideoEditPipeline(editor, motionModules, motionReference);
    }

    /// <summary>Edits a clip: propagates the frame-1 mask, then <see cref="EditWithMasks"/>.</summary>
    /// <returns>The edited frames at the input size.</returns>
    public IReadOnlyList<RgbImage> Edit(VideoEditRequest request, IProgress<VideoEditProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        progress?.Report(new VideoEditProgress(0, 0, 0, request.Steps, "masks"));
        ct.ThrowIfCancellationRequested();
        var masks = PropagateMask(request.Frames, request.FirstFrameMask, ct);
        return EditWithMasks(request, masks, progress, ct);
    }

    /// <summary>Edits a clip whose per-frame masks are known (the evaluation passes the ground truth here).</summary>
    /// <param name="request">The request; its <see cref="VideoEditRequest.FirstFrameMask"/> is not used.</param>
    /// <param name="masks">One mask per frame at the frames' size (non-zero = replace).</param>
    /// <param name="progress">Progress per chunk and step.</param>
    /// <param name="ct">Checked before every step.</param>
    /// <returns>The edited frames at the input size.</returns>
    public IReadOnlyList<RgbImage> EditWithMasks(VideoEditRequest request, IReadOnlyList<byte[]> masks, IProgress<VideoEditProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(masks);
        request.Validate();
        if (masks.Count != request.Frames.Count)
        {
            throw new ArgumentException($"need one mask per frame ({request.Frames.Count}), got {masks.Count}", nameof(masks));
        }

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (w, h) = (request.Frames[0].Width, request.Frames[0].Height);
        var n = request.Frames.Count;
        var source = VideoTensors.FromImages(request.Frames);                                   // (n, 3, H, W)
        var small = VideoTensors.Resize(source, Size, Size);                                    // (n, 3, S, S)
        var mask = VideoTensors.ResizeMask(VideoTensors.FromMasks(masks, w, h), Size, Size, 1); // (n, 1, S, S)
        if (request.MaskShape == EditMaskShape.Box)
        {
            mask = VideoTensors.BoundingBoxes(mask);                                             // the training's box masks: silhouette box, one cell wider
        }
        var reference = VideoTensors.Resize(VideoTensors.FromImages([request.Reference]), Size, Size);
        var context = Editor.EncodeReference(reference);                                       // (1, N, D)
        var nullContext = Editor.NullContext(1);

        (Tensor Forward, Tensor Backward)? flows = null;
        if (Reference is not null && EstimateFlow is not null && n > 1)
        {
            progress?.Report(new VideoEditProgress(0, 0, 0, request.Steps, "flow"));
            var from = small.narrow(0, 0, n - 1);
            var to = small.narrow(0, 1, n - 1);
            flows = (EstimateFlow(from, to), EstimateFlow(to, from));                           // (n−1, 2, S, S) each
        }

        var noise = randn([1, 3, Size, Size], generator: new Generator((ulong)request.Seed));  // shared by every frame
        var chunks = Chunks(n, request.ChunkFrames, request.ChunkOverlap);
        var sum = zeros(n, 3, Size, Size);
        var weight = zeros(n, 1, 1, 1);
        for (var c = 0; c < chunks.Count; c++)
        {
            var (start, count) = chunks[c];
            using var chunkScope = NewDisposeScope();
            var chunkFlows = flows is { } f && count > 1
                ? (f.Forward.narrow(0, start, count - 1), f.Backward.narrow(0, start, count - 1))
                : ((Tensor, Tensor)?)null;
            var edited = Denoise(
                small.narrow(0, start, count), mask.narrow(0, start, count), reference, context, nullContext, noise, chunkFlows, request,
                step => progress?.Report(new VideoEditProgress(c + 1, chunks.Count, step, request.Steps, "denoise")), ct); // (count, 3, S, S)
            var ramp = Ramp(count, request.ChunkOverlap, c > 0, c < chunks.Count - 1);          // (count, 1, 1, 1)
            sum.narrow(0, start, count).add_(edited * ramp);
            weight.narrow(0, start, count).add_(ramp);
        }

        var result = sum / weight;                                                              // (n, 3, S, S)
        var full = VideoTensors.Resize(result, h, w);                                           // (n, 3, H, W)
        if (request.PasteBack)
        {
            var paste = nn.functional.interpolate(mask, [h, w], mode: InterpolationMode.Nearest); // (n, 1, H, W)
            full = (paste * full) + ((1 - paste) * source);
        }

        var images = ImageTensors.ToImages(full);
        progress?.Report(new VideoEditProgress(chunks.Count, chunks.Count, request.Steps, request.Steps, "done"));
        return images;
    }

    /// <summary>The chunks (start, count) covering n frames: windows of <paramref name="size"/> frames overlapping by <paramref name="overlap"/>, the last aligned to the end.</summary>
    public static IReadOnlyList<(int Start, int Count)> Chunks(int n, int size, int overlap)
    {
        if (n <= size)
        {
            return [(0, n)];
        }

        var chunks = new List<(int, int)>();
        var stride = size - overlap;
        for (var start = 0; ; start += stride)
        {
            if (start + size >= n)
            {
                chunks.Add((n - size, size));
                break;
            }

            chunks.Add((start, size));
        }

        return chunks;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Editor.Dispose();
        Motion?.Dispose();
        Reference?.Dispose();
    }

    // Blend weights of a chunk's frames: ramps up over the overlap it shares with the chunk before, down over the one after.
    private static Tensor Ramp(int count, int overlap, bool rampIn, bool rampOut)
    {
        var weights = new float[count];
        for (var i = 0; i < count; i++)
        {
            var wIn = rampIn && overlap > 0 ? Math.Min(1f, (i + 1f) / (overlap + 1f)) : 1f;
            var wOut = rampOut && overlap > 0 ? Math.Min(1f, (count - i) / (overlap + 1f)) : 1f;
            weights[i] = Math.Min(wIn, wOut);
        }

        return tensor(weights, [count, 1, 1, 1]);
    }

    private Tensor Denoise(
        Tensor source, Tensor mask, Tensor reference, Tensor context, Tensor nullContext, Tensor noise, (Tensor Forward, Tensor Backward)? flows,
        VideoEditRequest request, Action<int> onStep, CancellationToken ct)
    {
        using var scope = NewDisposeScope();
        var frames = source.shape[0];
        var guided = Math.Abs(request.Guidance - 1f) > 1e-6f;
        var copies = guided ? 2 : 1;
        using var frameFlows = Reference is not null && flows is { } f ? FrameFlows.FromPairs(f.Forward, f.Backward, copies, Reference.Config.ConsistencySigma) : null;
        var mixer = Motion is null && frameFlows is null ? null : new VideoFrameMixer(frames, Motion, frameFlows is null ? null : Reference, frameFlows);
        var contexts = guided
            ? cat([context.expand(frames, -1, -1), nullContext.expand(frames, -1, -1)], 0)     // (2F, N, D): conditional clip, then unconditional clip
            : context.expand(frames, -1, -1);
        var hint = Editor.Hint(reference, mask);                                                // (F, 4, S, S) or null
        var nullHint = hint is null ? null : zeros_like(hint);                                  // the unconditional branch has none
        using var sampler = Sampling.Create(SamplerKind.Ddim, Schedule, request.Steps, new SamplingOptions { ClampOriginal = true });
        var x = sampler.InitialSample(noise.expand(frames, -1, -1, -1).contiguous());           // (F, 3, S, S)
        for (var i = 0; i < sampler.Timesteps.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            using var stepScope = NewDisposeScope();
            var scaled = sampler.ScaleModelInput(x, i);
            var input = ReferenceEditor.Inputs(scaled, mask, source, hint);                     // (F, 7 or 11, S, S)
            var t = full(copies * frames, sampler.Timesteps[i], ScalarType.Int64);
            Tensor output;
            if (guided)
            {
                var unconditional = ReferenceEditor.Inputs(scaled, mask, source, nullHint);
                var both = Editor.ForwardMixed(cat([input, unconditional], 0), t, contexts, mixer); // (2F, 3, S, S)
                output = ClassifierFreeGuidance.Combine(both.narrow(0, frames, frames), both.narrow(0, 0, frames), request.Guidance);
            }
            else
            {
                output = Editor.ForwardMixed(input, t, contexts, mixer);
            }

            x = sampler.TakeStep(output, i, x, null).Sample.MoveToOuterDisposeScope();
            onStep(i + 1);
        }

        return x.MoveToOuterDisposeScope();
    }
}
