using MediaStudio.Diffusion.Autoencoder;
using MediaStudio.Diffusion.Clip;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Diffusion.UNet;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Pipelines;

/// <summary>A seeded pipeline of tiny random models (32x32 images, 8x8x4 latents) for CPU tests.</summary>
internal static class TinyPipeline
{
    public const int ImageSize = 32;

    public static TextToImagePipeline Create(string predictionType = "v_prediction")
    {
        manual_seed(1234);
        var tokenizer = ClipTokenizer.BuildFromWorld(contextLength: 12, scenes: 300);
        var clip = ClipModel.FromConfig(ClipConfig.Tiny(tokenizer.VocabSize, tokenizer.ContextLength), tokenizer);
        var autoencoder = AutoencoderKL.FromConfig(AutoencoderKLConfig.Tiny);
        var unet = new UNet2DConditionModel(UNetConfig.Tiny with { CrossAttentionDim = clip.Config.Text.HiddenSize, PredictionType = predictionType });

        // zero-initialised output layers would hide the prompt from a fresh model; give them small random values
        using (no_grad())
        {
            foreach (var p in unet.parameters().Where(p => p.abs().max().item<float>() == 0 && p.dim() > 1))
            {
                p.normal_(0, 0.05);
            }
        }

        var schedule = new NoiseSchedule(NoiseScheduleConfig.CosineVPrediction with { PredictionType = predictionType });
        return new TextToImagePipeline(autoencoder, clip, unet, schedule, CPU);
    }

    public static TextToImageRequest Request(string prompt = "a large red circle on the left", long seed = 7) => new()
    {
        Prompt = prompt,
        Seed = seed,
        Steps = 4,
        Guidance = 3,
        Sampler = SamplerKind.Ddim,
        Width = ImageSize,
        Height = ImageSize,
    };
}
