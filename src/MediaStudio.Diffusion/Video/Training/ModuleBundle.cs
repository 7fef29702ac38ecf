using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Training;

/// <summary>Several modules trained as one (one optimizer, one checkpoint), each registered under its name.</summary>
public sealed class ModuleBundle : nn.Module
{
    /// <summary>Registers the parts; the bundle does not own them (dispose them yourself).</summary>
    public ModuleBundle(params (string Name, nn.Module Module)[] parts) : base(nameof(ModuleBundle))
    {
        ArgumentNullException.ThrowIfNull(parts);
        foreach (var (name, module) in parts)
        {
            register_module(name, module);
        }
    }
}
