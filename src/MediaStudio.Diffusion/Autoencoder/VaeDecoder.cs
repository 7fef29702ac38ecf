// Architecture after huggingface/diffusers (Apache-2.0): src/diffusers/models/autoencoders/vae.py, Decoder.
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>The VAE decoder: conv_in, mid block, up blocks (mirrored widths, nearest + conv upsamplers), conv_norm_out, SiLU, conv_out.</summary>
public sealed class VaeDecoder : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv_in;
    private readonly VaeMidBlock mid_block;
    private readonly ModuleList<UpDecoderBlock2D> up_blocks;
    private readonly GroupNorm conv_norm_out;
    private readonly Conv2d conv_out;

    /// <summary>Creates the decoder.</summary>
    /// <param name="config">Validated config.</param>
    public VaeDecoder(AutoencoderKLConfig config)
        : base(nameof(VaeDecoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        var reversed = config.BlockOutChannels.Reverse().ToArray();
        conv_in = nn.Conv2d(config.LatentChannels, reversed[0], 3, padding: 1);
        mid_block = new VaeMidBlock(reversed[0], config.NormNumGroups, config.MidBlockAddAttention);
        up_blocks = new ModuleList<UpDecoderBlock2D>();
        for (var i = 0; i < reversed.Length; i++)
        {
            var last = i == reversed.Length - 1;
            up_blocks.Add(new UpDecoderBlock2D(i == 0 ? reversed[0] : reversed[i - 1], reversed[i], config.LayersPerBlock + 1, config.NormNumGroups, !last));
        }

        conv_norm_out = Norms.GroupNorm(config.NormNumGroups, reversed[^1], 1e-6);
        conv_out = nn.Conv2d(reversed[^1], config.OutChannels, 3, padding: 1);
        RegisterComponents();
    }

    // (B, L, h, w) -> (B, Cout, h f, w f)
    public override Tensor forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var h = conv_in.forward(z);                                    // (B, Clast, h, w)
        h = mid_block.forward(h);                                      // (B, Clast, h, w)
        foreach (var block in up_blocks)
        {
            h = block.forward(h);                                      // (B, Ci, h 2^i, w 2^i)
        }

        h = nn.functional.silu(conv_norm_out.forward(h));              // (B, C0, H, W)
        return conv_out.forward(h).MoveToOuterDisposeScope();          // (B, Cout, H, W)
    }
}
