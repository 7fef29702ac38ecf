using MediaStudio.Synthetic.Clips;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Flow;

/// <summary>Flow and mask-propagation quality on held-out world clips, against the renderer's ground truth.</summary>
/// <param name="Clips">Clips scored.</param>
/// <param name="FramePairs">Consecutive frame pairs scored for flow.</param>
/// <param name="Epe">Mean end-point error (pixels) of the estimated forward flow over all pixels.</param>
/// <param name="EpeVisible">Mean end-point error over pixels the renderer does not mark occluded.</param>
/// <param name="EpeZeroFlow">The same visible-pixel error of a zero flow, for scale.</param>
/// <param name="MaskIou">Mean IoU of propagated masks against the ground-truth instance mask, frames 1.. of every clip.</param>
/// <param name="MaskIouLastFrame">Mean IoU on each clip's last frame, where drift is largest.</param>
/// <param name="SecondsPerPair">Wall-clock seconds of flow estimation per frame pair.</param>
/// <param name="EpeVisibleByBackground">
/// Visible-pixel EPE per background kind, estimated then zero flow. On flat and gradient backgrounds the camera's motion
/// is unobservable away from objects (no texture), so any estimator can only guess there.
/// </param>
public sealed record FlowEvaluation(
    int Clips,
    int FramePairs,
    double Epe,
    double EpeVisible,
    double EpeZeroFlow,
    double MaskIou,
    double MaskIouLastFrame,
    double SecondsPerPair,
    IReadOnlyDictionary<string, BackgroundEpe> EpeVisibleByBackground)
{
    /// <summary>First clip seed of the held-out range (2^62 + 9e7), away from training and other evaluations.</summary>
    public const long HeldOutSeedBase = (1L << 62) + 90_000_000;

    /// <summary>Scores <paramref name="clips"/> held-out clips of <paramref name="frames"/> frames at 64 × 64.</summary>
    public static FlowEvaluation Run(
        int clips, int frames = 12, FlowEstimator? estimator = null, MaskPropagationOptions? maskOptions = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clips, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 2);
        estimator ??= new FlowEstimator();
        var propagation = new MaskPropagation(estimator, maskOptions);
        double epeSum = 0, visibleSum = 0, zeroSum = 0, iouSum = 0, lastSum = 0;
        long pixels = 0, visiblePixels = 0;
        var pairs = 0;
        var iouFrames = 0;
        var byKind = new SortedDictionary<string, (double Estimated, double Zero, double Pixels)>(StringComparer.Ordinal);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var flowTime = TimeSpan.Zero;
        for (var c = 0; c < clips; c++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clip = ClipRenderer.Render(ClipSampler.Sample(HeldOutSeedBase + c, frameCount: frames));
            using (var scope = NewDisposeScope())
            {
                var images = FlowTensors.FromImages(clip.Frames);
                var n = clip.Frames.Count - 1;
                var start = clock.Elapsed;
                var estimate = estimator.Estimate(images.narrow(0, 0, n), images.narrow(0, 1, n)); // (T-1, 2, H, W)
                flowTime += clock.Elapsed - start;
                var truth = FlowTensors.FromFields(clip.ForwardFlow);
                var visible = 1 - FlowTensors.FromMasks(clip.Occlusions, clip.Spec.Width, clip.Spec.Height); // (T-1, 1, H, W)
                var error = (estimate - truth).square().sum(1, keepdim: true).sqrt();
                var zero = truth.square().sum(1, keepdim: true).sqrt();
                var (clipVisible, clipZero, clipPixels) = ((error * visible).sum().item<float>(), (zero * visible).sum().item<float>(), visible.sum().item<float>());
                epeSum += error.sum().item<float>();
                visibleSum += clipVisible;
                zeroSum += clipZero;
                pixels += error.numel();
                visiblePixels += (long)clipPixels;
                var kind = clip.Spec.Scene.Label.Background.Kind.ToString();
                var sums = byKind.GetValueOrDefault(kind);
                byKind[kind] = (sums.Estimated + clipVisible, sums.Zero + clipZero, sums.Pixels + clipPixels);
                pairs += n;
            }

            var target = clip.Spec.EditedObject + 1;
            var truthMasks = clip.InstanceMasks.Select(m => m.Select(v => v == target ? (byte)255 : (byte)0).ToArray()).ToList();
            var propagated = propagation.Propagate(clip.Frames, truthMasks[0], cancellationToken);
            for (var t = 1; t < propagated.Count; t++)
            {
                var iou = Iou(propagated[t], truthMasks[t]);
                iouSum += iou;
                iouFrames++;
                if (t == propagated.Count - 1)
                {
                    lastSum += iou;
                }
            }

            progress?.Report(c + 1);
        }

        return new FlowEvaluation(
            clips,
            pairs,
            epeSum / pixels,
            visibleSum / visiblePixels,
            zeroSum / visiblePixels,
            iouSum / iouFrames,
            lastSum / clips,
            flowTime.TotalSeconds / pairs,
            byKind.ToDictionary(kv => kv.Key, kv => new BackgroundEpe(kv.Value.Estimated / kv.Value.Pixels, kv.Value.Zero / kv.Value.Pixels), StringComparer.Ordinal));
    }

    /// <summary>Intersection over union of two byte masks (non-zero = inside); 1 when both are empty.</summary>
    public static double Iou(byte[] a, byte[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        long both = 0, either = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var (x, y) = (a[i] != 0, b[i] != 0);
            both += x && y ? 1 : 0;
            either += x || y ? 1 : 0;
        }

        return either == 0 ? 1 : (double)both / either;
    }
}

/// <summary>Visible-pixel end-point errors (pixels) on one background kind: the estimate's and a zero flow's.</summary>
public sealed record BackgroundEpe(double Estimated, double ZeroFlow);
