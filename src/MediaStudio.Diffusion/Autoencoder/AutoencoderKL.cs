// Architecture after huggingface/diffusers (Apache-2.0): src/diffusers/models/autoencoders/autoencoder_kl.py.
using MediaStudio.Neural.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>The KL-regularised autoencoder of latent diffusion (Rombach et al. 2022; SD's VAE), with diffusers' checkpoint keys.</summary>
/// <remarks>
/// Notation: x images (B, 3, H, W) in [-1, 1], f downsample factor, L latent channels, s scaling factor.
/// Encode: moments = quant_conv(encoder(x)) (B, 2L, H/f, W/f) -> q(z|x) = N(mu, sigma^2).
/// Decode: x_hat = decoder(post_quant_conv(z)). The diffusion model works on scaled latents z_s = s z
/// (<see cref="EncodeLatents"/>, <see cref="DecodeLatents"/>), s = 1/std(mu) measured after training (SD: 0.18215).
/// <c>forward</c> reconstructs through the posterior mean.
/// </remarks>
public sealed class AutoencoderKL : nn.Module<Tensor, Tensor>
{
    private readonly VaeEncoder encoder;
    private readonly VaeDecoder decoder;
    private readonly Conv2d quant_conv;
    private readonly Conv2d post_quant_conv;

    /// <summary>Creates an untrained model (PyTorch's default conv init, GroupNorm at identity).</summary>
    /// <param name="config">The config; validated here.</param>
    public AutoencoderKL(AutoencoderKLConfig config)
        : base(nameof(AutoencoderKL))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        encoder = new VaeEncoder(config);
        decoder = new VaeDecoder(config);
        quant_conv = nn.Conv2d(2 * config.LatentChannels, 2 * config.LatentChannels, 1);
        post_quant_conv = nn.Conv2d(config.LatentChannels, config.LatentChannels, 1);
        RegisterComponents();
    }

    /// <summary>Gets the config; <see cref="UseScalingFactor"/> replaces it with a measured scaling factor.</summary>
    public AutoencoderKLConfig Config { get; private set; }

    /// <summary>Creates an untrained model.</summary>
    /// <param name="config">The config.</param>
    /// <returns>The model in training mode on the CPU.</returns>
    public static AutoencoderKL FromConfig(AutoencoderKLConfig config) => new(config);

    /// <summary>Loads a model folder (config.json, model.safetensors, SHA256SUMS) strictly, hashes checked, in eval mode.</summary>
    /// <param name="folder">Model folder, for example models/autoencoder.</param>
    /// <param name="device">Target device; CPU when null.</param>
    /// <returns>The model.</returns>
    public static AutoencoderKL FromPretrained(string folder, Device? device = null) =>
        ModelFolder.FromPretrained<AutoencoderKL, AutoencoderKLConfig>(folder, c => new AutoencoderKL(c), device);

    /// <summary>Stores a measured scaling factor in the config (saved with the model).</summary>
    /// <param name="scalingFactor">s = 1/std of the latent means; finite and positive.</param>
    public void UseScalingFactor(double scalingFactor)
    {
        var updated = Config with { ScalingFactor = scalingFactor };
        updated.Validate();
        Config = updated;
    }

    /// <summary>Encodes images to the posterior q(z|x).</summary>
    /// <param name="images">(B, in_channels, H, W) in [-1, 1], H and W multiples of f.</param>
    /// <returns>The diagonal Gaussian over unscaled latents (B, L, H/f, W/f).</returns>
    /// <exception cref="ArgumentException">The images have the wrong rank, channel count or size.</exception>
    public DiagonalGaussian Encode(Tensor images)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        var moments = quant_conv.forward(encoder.forward(images)); // (B, 2L, H/f, W/f)
        var posterior = new DiagonalGaussian(moments);
        posterior.Mean.MoveToOuterDisposeScope();
        posterior.LogVar.MoveToOuterDisposeScope();
        posterior.Std.MoveToOuterDisposeScope();
        return posterior;
    }

    /// <summary>Decodes unscaled latents to images.</summary>
    /// <param name="latents">z (B, L, h, w).</param>
    /// <returns>Images (B, out_channels, h f, w f), unclamped.</returns>
    /// <exception cref="ArgumentException">The latents have the wrong rank or channel count.</exception>
    public Tensor Decode(Tensor latents)
    {
        ArgumentNullException.ThrowIfNull(latents);
        if (latents.dim() != 4 || latents.shape[1] != Config.LatentChannels)
        {
            throw new ArgumentException(
                $"latents must be (B, {Config.LatentChannels}, h, w), got [{string.Join(", ", latents.shape)}]", nameof(latents));
        }

        using var scope = NewDisposeScope();
        return decoder.forward(post_quant_conv.forward(latents)).MoveToOuterDisposeScope(); // (B, 3, H, W)
    }

    /// <summary>Encodes images to scaled latents s z: the posterior mean, or a sample when a generator is given.</summary>
    /// <param name="images">(B, in_channels, H, W) in [-1, 1].</param>
    /// <param name="sample">Generator for z = mu + sigma eps; the mean is used when null.</param>
    /// <returns>(B, L, H/f, W/f).</returns>
    public Tensor EncodeLatents(Tensor images, Generator? sample = null)
    {
        using var scope = NewDisposeScope();
        using var posterior = Encode(images);
        var z = sample is null ? posterior.Mode() : posterior.Sample(sample); // (B, L, h, w)
        return (z * Config.ScalingFactor).MoveToOuterDisposeScope();
    }

    /// <summary>Decodes scaled latents (divides by the scaling factor first).</summary>
    /// <param name="scaledLatents">s z (B, L, h, w).</param>
    /// <returns>Images (B, out_channels, H, W), unclamped.</returns>
    public Tensor DecodeLatents(Tensor scaledLatents)
    {
        ArgumentNullException.ThrowIfNull(scaledLatents);
        using var unscaled = scaledLatents / Config.ScalingFactor; // (B, L, h, w)
        return Decode(unscaled);
    }

    // (B, 3, H, W) -> (B, 3, H, W) through the posterior mean
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var posterior = Encode(images);
        return Decode(posterior.Mean).MoveToOuterDisposeScope();
    }

    private void CheckImages(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var f = Config.DownsampleFactor;
        if (images.dim() != 4 || images.shape[1] != Config.InChannels)
        {
            throw new ArgumentException($"images must be (B, {Config.InChannels}, H, W), got [{string.Join(", ", images.shape)}]", nameof(images));
        }

        if (images.shape[2] < f || images.shape[3] < f || images.shape[2] % f != 0 || images.shape[3] % f != 0)
        {
            throw new ArgumentException(
                $"image height and width must be positive multiples of the downsample factor {f}, got {images.shape[2]}x{images.shape[3]}", nameof(images));
        }
    }
}
