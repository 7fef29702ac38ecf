using TorchSharp;

namespace MediaStudio.Jobs.Models;

/// <summary>Measures what a TorchSharp module occupies, for the registry's memory budget.</summary>
public static class ModelSize
{
    /// <summary>Returns the bytes of the module's parameters and buffers.</summary>
    public static long Of(torch.nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.parameters().Concat(module.buffers()).Sum(t => t.numel() * t.element_size());
    }
}
