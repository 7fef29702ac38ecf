using MediaStudio.Diffusion.UNet;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Motion;

/// <summary>The editor's frame mixer for a batch of clips of F frames: motion modules, then the motion reference, at every insertion point.</summary>
/// <param name="Frames">Frames per clip in the batch.</param>
/// <param name="Motion">Motion modules, or null.</param>
/// <param name="Reference">Motion reference network, or null (then <paramref name="Flows"/> is unused).</param>
/// <param name="Flows">The clip's flows for the motion reference.</param>
public sealed record VideoFrameMixer(long Frames, MotionModules? Motion, MotionReference? Reference, FrameFlows? Flows) : IFrameMixer
{
    /// <inheritdoc/>
    public Tensor Mix(Tensor x, int point)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        var y = Motion is null ? x : Motion.Apply(x, point, Frames);
        if (Reference is not null && Flows is not null && Frames > 1)
        {
            y = Reference.Apply(y, point, Frames, Flows);
        }

        return y.MoveToOuterDisposeScope();
    }
}
