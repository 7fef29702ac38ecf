using MediaStudio.Neural.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Motion;

/// <summary>The flow-guided motion reference network: one <see cref="FlowGuidedReference"/> per editor insertion point. Keys layers.N.*.</summary>
public sealed class MotionReference : nn.Module
{
    private readonly ModuleList<FlowGuidedReference> layers;

    /// <summary>Builds zero-initialised layers.</summary>
    public MotionReference(MotionReferenceConfig config) : base(nameof(MotionReference))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        layers = nn.ModuleList([.. config.PointChannels.Select(c => new FlowGuidedReference(c, config.NormNumGroups))]);
        RegisterComponents();
    }

    /// <summary>Gets the config.</summary>
    public MotionReferenceConfig Config { get; }

    /// <summary>Loads a model folder strictly, in eval mode.</summary>
    public static MotionReference FromPretrained(string folder, Device? device = null) =>
        ModelFolder.FromPretrained<MotionReference, MotionReferenceConfig>(folder, c => new MotionReference(c), device);

    /// <summary>Applies the layer of insertion point <paramref name="point"/>.</summary>
    public Tensor Apply(Tensor x, int point, long frames, FrameFlows flows) => layers[point].forward(x, frames, flows);
}
