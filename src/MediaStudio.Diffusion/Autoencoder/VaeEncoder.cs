// Architecture after huggingface/diffusers (Apache-2.0): src/diffusers/models/autoencoders/vae.py, Encoder (double_z).
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>The VAE encoder: conv_in, down blocks, mid block, conv_norm_out, SiLU, conv_out to 2 x latent channels (mean and log-variance).</summary>
public sealed class VaeEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv_in;
    private readonly ModuleList<DownEncoderBlock2D> down_blocks;
    private readonly VaeMidBlock mid_block;
    private readonly GroupNorm conv_norm_out;
    private readonly Conv2d conv_out;

    /// <summary>Creates the encoder.</summary>
    /// <param name="config">Validated config.</param>
    public VaeEncoder(AutoencoderKLConfig config)
        : base(nameof(VaeEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        var widths = config.BlockOutChannels;
        conv_in = nn.Conv2d(config.InChannels, widths[0], 3, padding: 1);
        down_blocks = new ModuleList<DownEncoderBlock2D>();
        for (var i = 0; i < widths.Count; i++)
        {
            var last = i == widths.Count - 1;
            down_blocks.Add(new DownEncoderBlock2D(i == 0 ? widths[0] : widths[i - 1], widths[i], config.LayersPerBlock, config.NormNumGroups, !last));
        }

        mid_block = new VaeMidBlock(widths[^1], config.NormNumGroups, config.MidBlockAddAttention);
        conv_norm_out = Norms.GroupNorm(config.NormNumGroups, widths[^1], 1e-6);
        conv_out = nn.Conv2d(widths[^1], 2 * config.LatentChannels, 3, padding: 1);
        RegisterComponents();
    }

    // (B, Cin, H, W) -> (B, 2L, H/f, W/f)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = conv_in.forward(x);                                    // (B, C0, H, W)
        foreach (var block in down_blocks)
        {
            h = block.forward(h);                                      // (B, Ci, H/2^i, W/2^i)
        }

        h = mid_block.forward(h);                                      // (B, Clast, H/f, W/f)
        h = nn.functional.silu(conv_norm_out.forward(h));
        return conv_out.forward(h).MoveToOuterDisposeScope();          // (B, 2L, H/f, W/f)
    }
}
