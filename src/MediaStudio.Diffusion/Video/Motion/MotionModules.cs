using MediaStudio.Neural.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Motion;

/// <summary>The motion modules inflated into the editor: one <see cref="TemporalTransformer"/> per insertion point. Keys temporal.N.*.</summary>
public sealed class MotionModules : nn.Module
{
    private readonly ModuleList<TemporalTransformer> temporal;

    /// <summary>Builds zero-initialised modules.</summary>
    public MotionModules(MotionModuleConfig config) : base(nameof(MotionModules))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        temporal = nn.ModuleList([.. config.PointChannels.Select((c, i) => new TemporalTransformer(c, config.Windows(i), config.NormNumGroups))]);
        RegisterComponents();
    }

    /// <summary>Gets the config.</summary>
    public MotionModuleConfig Config { get; }

    /// <summary>Loads a model folder strictly, in eval mode.</summary>
    public static MotionModules FromPretrained(string folder, Device? device = null) =>
        ModelFolder.FromPretrained<MotionModules, MotionModuleConfig>(folder, c => new MotionModules(c), device);

    /// <summary>Applies the module of insertion point <paramref name="point"/> to (B·F, C, h, w).</summary>
    public Tensor Apply(Tensor x, int point, long frames) => temporal[point].forward(x, frames);
}
