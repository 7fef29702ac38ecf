using MediaStudio.Media.Images;
using MediaStudio.Neural.Pat;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.World;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Synthetic.Recognition;

/// <summary>Reads how the object that starts in each region moves over a clip: left/right, up/down, grows/shrinks, turns.</summary>
/// <remarks>
/// Notation: B clips, F frames sampled evenly (first and last included), S the side, R regions. The frames are stacked
/// as 3F channels, so the PAT backbone's first layer already compares them; the readout is the recognizer's:
/// logits = head(LayerNorm([flatten(map); pool(map)])) with R × 4 heads (horizontal, vertical, scale, rotation) of
/// three classes each (−1, 0, +1 as <see cref="ObjectMotion"/> defines them). A region without an object at frame 1 is
/// ignored in the loss. The captioner reads the per-head probabilities as one motion token per region.
/// </remarks>
public sealed class MotionRecognizer : nn.Module<Tensor, Tensor>
{
    /// <summary>Parts of a motion, in head order.</summary>
    public static readonly IReadOnlyList<string> Parts = ["horizontal", "vertical", "scale", "rotation"];

    /// <summary>Classes per part: −1, 0, +1.</summary>
    public const int Classes = 3;

    /// <summary>Channels of the per-frame pose map: cos mθ, sin mθ, log(radius / 8 px).</summary>
    public const int PoseChannels = 3;

    private static readonly int Regions = Enum.GetValues<Region>().Length;

    private readonly PatEncoder? frame_encoder;
    private readonly PatEncoder encoder;
    private readonly LayerNorm norm;
    private readonly Linear head;
    private readonly Linear? pose_head;

    public MotionRecognizer(MotionRecognizerConfig config) : base(nameof(MotionRecognizer))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        frame_encoder = config.FrameBackbone is { } frame ? new PatEncoder(frame) : null;
        encoder = new PatEncoder(config.Backbone);
        var channels = config.Backbone.StageWidth(config.Backbone.StageCount - 1);
        var readout = (channels * config.FinalMapSide * config.FinalMapSide) + config.Backbone.PooledDim;
        norm = nn.LayerNorm(readout);
        head = nn.Linear(readout, LogitsPerRegion * Regions);
        if (config.PoseWeight > 0)
        {
            pose_head = nn.Linear(config.FrameBackbone!.StageWidth(config.FrameBackbone.StageCount - 1), PoseChannels);
        }

        RegisterComponents();
    }

    public MotionRecognizerConfig Config { get; }

    /// <summary>Gets the logits of one region: four parts of three classes.</summary>
    public static int LogitsPerRegion => Parts.Count * Classes;

    /// <summary>Creates a motion recognizer with the PAT initialisation.</summary>
    public static MotionRecognizer FromConfig(MotionRecognizerConfig config, Generator? generator = null)
    {
        var model = new MotionRecognizer(config);
        Neural.Layers.Init.TruncNormal(model, generator: generator);
        return model;
    }

    // (B, F, 3, S, S) in [-1, 1] -> (B, R·4·3) logits
    public override Tensor forward(Tensor frames) => Run(frames, withPose: false).Logits;

    /// <summary>The logits and, with a pose head, each frame's pose map (B, F, s, s, 3), for training.</summary>
    public (Tensor Logits, Tensor? Pose) ForwardWithPose(Tensor frames) => Run(frames, withPose: pose_head is not null);

    private (Tensor Logits, Tensor? Pose) Run(Tensor frames, bool withPose)
    {
        ArgumentNullException.ThrowIfNull(frames);
        using var scope = NewDisposeScope();
        var (stacked, frameMaps) = Stack(frames);
        using var features = encoder.Encode(stacked, includeFeatureMaps: true);
        var readout = cat([features.FeatureMaps[^1].flatten(1), features.Pooled], dim: 1);   // (B, C·s·s + P)
        var logits = head.forward(norm.forward(readout)).MoveToOuterDisposeScope();
        if (!withPose || frameMaps is null)
        {
            return (logits, null);
        }

        var (b, f) = (frames.shape[0], frames.shape[1]);
        var pose = pose_head!.forward(frameMaps.permute(0, 2, 3, 1));                          // (B·F, s, s, 3)
        return (logits, pose.view(b, f, pose.shape[1], pose.shape[2], PoseChannels).MoveToOuterDisposeScope());
    }

    // stacked: (B, F, 3, S, S) -> (B, 3F, S, S); siamese: each frame -> (C, s, s), then (B, F·C, s, s), and the per-frame maps (B·F, C, s, s)
    private (Tensor Stacked, Tensor? FrameMaps) Stack(Tensor frames)
    {
        if (frame_encoder is null)
        {
            return (frames.flatten(1, 2), null);
        }

        var (b, f) = (frames.shape[0], frames.shape[1]);
        using var perFrame = frame_encoder.Encode(frames.flatten(0, 1), includeFeatureMaps: true); // (B·F, 3, S, S) in
        var map = perFrame.FeatureMaps[^1];                                                          // (B·F, C, s, s)
        return (map.view(b, f * map.shape[1], map.shape[2], map.shape[3]), map.view(b * f, map.shape[1], map.shape[2], map.shape[3]));
    }

    /// <summary>Per-part probabilities of every region.</summary>
    // (B, F, 3, S, S) -> (B, R, 4·3), each consecutive triple summing to one
    public Tensor Probabilities(Tensor frames)
    {
        using var scope = NewDisposeScope();
        var logits = forward(frames);                                                        // (B, R·4·3)
        var b = logits.shape[0];
        return logits.view(b, Regions * Parts.Count, Classes).softmax(2).view(b, Regions, LogitsPerRegion).MoveToOuterDisposeScope();
    }

    /// <summary>The targets of a clip: per region, the four parts of the object that starts there (class = part + 1), or <see cref="AttributeHeads.Ignore"/>.</summary>
    public static long[] Targets(ClipSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var targets = Enumerable.Repeat(AttributeHeads.Ignore, Regions * Parts.Count).ToArray();
        var objects = spec.Scene.Label.Objects;
        for (var k = 0; k < objects.Count; k++)
        {
            var m = ObjectMotion.From(spec, k);
            var at = (int)objects[k].Region * Parts.Count;
            (targets[at], targets[at + 1], targets[at + 2], targets[at + 3]) = (m.Horizontal + 1, m.Vertical + 1, m.Scale + 1, m.Rotation + 1);
        }

        return targets;
    }

    /// <summary>Mean cross-entropy over the heads with an object, summed over the four parts.</summary>
    // logits (B, R·4·3), targets (B, R·4) -> scalar
    public static Tensor Loss(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        using var scope = NewDisposeScope();
        var perHead = logits.view(-1, Classes);                                              // (B·R·4, 3)
        var loss = nn.functional.cross_entropy(perHead, targets.flatten(), ignore_index: AttributeHeads.Ignore);
        return (loss * Parts.Count).MoveToOuterDisposeScope();
    }

    /// <summary>The per-frame pose targets of a clip sampled to <paramref name="frames"/> even frames, on a map of
    /// <paramref name="side"/> x <paramref name="side"/> cells: at the cell holding an object's centre, (cos mθ, sin mθ) of its
    /// turn θ under its shape's m-fold symmetry and log(radius / 8 px); the mask marks those cells. Circles and rings
    /// (no visible turn) get only the radius; where two centres share a cell, the object in front (later in label order) wins.</summary>
    // -> targets (F·s·s·3), mask (F·s·s·3), both in (F, s, s, 3) order
    public static (float[] Targets, float[] Mask) PoseTargets(ClipSpec spec, int frames, int side)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var targets = new float[frames * side * side * PoseChannels];
        var mask = new float[targets.Length];
        var indices = ClipRenderer.EvenFrames(spec.FrameCount, frames);
        var objects = spec.Scene.Label.Objects;
        for (var f = 0; f < frames; f++)
        {
            for (var k = 0; k < objects.Count; k++)
            {
                var pose = spec.Tracks[k].At(spec.Time(indices[f]));
                if (PoseCell(spec, indices[f], k, side) is not var (i, j))
                {
                    continue;
                }

                var at = ((((f * side) + i) * side) + j) * PoseChannels;
                var symmetry = ObjectMotion.SymmetryOrder(objects[k].Shape);
                var (sin, cos) = Math.SinCos(symmetry * pose.Rotation);
                (targets[at], targets[at + 1], targets[at + 2]) = ((float)cos, (float)sin, (float)Math.Log(pose.Radius / 8.0));
                var turns = symmetry > 0 ? 1f : 0f;
                (mask[at], mask[at + 1], mask[at + 2]) = (turns, turns, 1f);
            }
        }

        return (targets, mask);
    }

    /// <summary>The cell (row, column) of a <paramref name="side"/> x <paramref name="side"/> map that holds object
    /// <paramref name="k"/>'s centre in clip frame <paramref name="frame"/>, or null when the centre is outside the frame.</summary>
    public static (int Row, int Column)? PoseCell(ClipSpec spec, int frame, int k, int side)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (cx, cy) = spec.Camera(frame);
        var pose = spec.Tracks[k].At(spec.Time(frame));
        var (i, j) = ((int)Math.Floor((pose.Y - cy) * side / spec.Height), (int)Math.Floor((pose.X - cx) * side / spec.Width));
        return i < 0 || j < 0 || i >= side || j >= side ? null : (i, j);
    }

    /// <summary>
    /// The turn (radians, signed as the track's rotation) read from a pose map alone: at each sampled frame's cell of
    /// object <paramref name="k"/>'s centre, φ_f = atan2(sin mθ, cos mθ); the turn is Σ_f wrap(φ_{f+1} − φ_f) / m, each
    /// step wrapped to (−π, π]. Null when the shape shows no turn or the centre leaves the frame.
    /// </summary>
    /// <param name="pose">One clip's pose map, (F, s, s, 3) flattened.</param>
    /// <param name="spec">The clip.</param>
    /// <param name="k">The object.</param>
    /// <param name="frames">F, the frames sampled evenly over the clip.</param>
    /// <param name="side">s.</param>
    public static double? PoseTurn(ReadOnlySpan<float> pose, ClipSpec spec, int k, int frames, int side)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var m = ObjectMotion.SymmetryOrder(spec.Scene.Label.Objects[k].Shape);
        if (m == 0)
        {
            return null;
        }

        var indices = ClipRenderer.EvenFrames(spec.FrameCount, frames);
        double turn = 0;
        double? previous = null;
        for (var f = 0; f < frames; f++)
        {
            if (PoseCell(spec, indices[f], k, side) is not var (i, j))
            {
                return null;
            }

            var at = ((((f * side) + i) * side) + j) * PoseChannels;
            var angle = Math.Atan2(pose[at + 1], pose[at]);
            if (previous is { } before)
            {
                turn += Math.IEEERemainder(angle - before, 2 * Math.PI) / m;
            }

            previous = angle;
        }

        return turn;
    }

    /// <summary>Mean squared error of the pose map over the masked entries.</summary>
    // pose (B, F, s, s, 3), targets and mask (B, F, s, s, 3) -> scalar
    public static Tensor PoseLoss(Tensor pose, Tensor targets, Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(pose);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(mask);
        using var scope = NewDisposeScope();
        return ((pose - targets).square() * mask).sum().div(mask.sum().clamp_min(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Stacks clips of <see cref="MotionRecognizerConfig.Frames"/> frames each into (B, F, 3, S, S) in [-1, 1].</summary>
    public Tensor ToBatch(IReadOnlyList<IReadOnlyList<RgbImage>> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        if (clips.FirstOrDefault(c => c.Count != Config.Frames) is { } wrong)
        {
            throw new ArgumentException($"the motion recognizer reads {Config.Frames} frames per clip, got {wrong.Count}", nameof(clips));
        }

        var size = Config.ImageSize;
        using var scope = NewDisposeScope();
        return SceneRecognizer.ToBatch([.. clips.SelectMany(c => c)], size).view(clips.Count, Config.Frames, 3, size, size).MoveToOuterDisposeScope();
    }

    /// <summary>Reads each clip's motions: for every region, the most likely class of each part.</summary>
    public IReadOnlyList<IReadOnlyDictionary<Region, ObjectMotion>> Read(IReadOnlyList<IReadOnlyList<RgbImage>> clips) => Read(clips, withPose: false).Motions;

    /// <summary>
    /// Reads each clip's motions and, from the same pass, its pose maps: (B·F·s·s·3) floats in (B, F, s, s, 3) order and
    /// their side s, or null and 0 for a model without the pose head.
    /// </summary>
    public (IReadOnlyList<IReadOnlyDictionary<Region, ObjectMotion>> Motions, float[]? Pose, int Side) ReadWithPose(IReadOnlyList<IReadOnlyList<RgbImage>> clips) =>
        Read(clips, withPose: true);

    private (IReadOnlyList<IReadOnlyDictionary<Region, ObjectMotion>> Motions, float[]? Pose, int Side) Read(IReadOnlyList<IReadOnlyList<RgbImage>> clips, bool withPose)
    {
        ArgumentNullException.ThrowIfNull(clips);
        if (clips.Count == 0)
        {
            return ([], null, 0);
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        eval();
        var b = clips.Count;
        var (logits, pose) = Run(ToBatch(clips), withPose: withPose && pose_head is not null);
        var classes = logits.view(b, Regions, Parts.Count, Classes).argmax(3).data<long>().ToArray(); // (B, R, 4)
        var result = new List<IReadOnlyDictionary<Region, ObjectMotion>>(b);
        for (var i = 0; i < b; i++)
        {
            var motions = new Dictionary<Region, ObjectMotion>();
            foreach (var region in Enum.GetValues<Region>())
            {
                var at = ((i * Regions) + (int)region) * Parts.Count;
                motions[region] = new ObjectMotion((int)classes[at] - 1, (int)classes[at + 1] - 1, (int)classes[at + 2] - 1, (int)classes[at + 3] - 1);
            }

            result.Add(motions);
        }

        return pose is null ? (result, null, 0) : (result, pose.contiguous().data<float>().ToArray(), (int)pose.shape[2]);
    }
}
