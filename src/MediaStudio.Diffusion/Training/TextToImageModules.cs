using MediaStudio.Diffusion.Clip;
using MediaStudio.Diffusion.UNet;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Training;

/// <summary>
/// The modules one text-to-image run trains, under one state dict for the trainer, its EMA and its checkpoint: the UNet
/// (keys <c>unet.*</c>), and the CLIP text tower (<c>text_model.*</c>) when it is trained with it.
/// </summary>
/// <remarks>It holds the modules without owning them: whoever loaded the UNet and the CLIP model disposes them, not this
/// container (disposing a module disposes its submodules).</remarks>
public sealed class TextToImageModules : nn.Module
{
    /// <summary>Groups the UNet and, when it is trained too, the text tower.</summary>
    public TextToImageModules(UNet2DConditionModel unet, ClipTextEncoder? textModel)
        : base(nameof(TextToImageModules))
    {
        ArgumentNullException.ThrowIfNull(unet);
        register_module("unet", unet);
        if (textModel is not null)
        {
            register_module("text_model", textModel);
        }
    }
}
