using MediaStudio.Neural.Pat;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Clip;

/// <summary>The CLIP image tower: a PAT encoder whose last feature map, flattened, and its mean are read out through a LayerNorm.</summary>
/// <remarks>
/// Captions name where objects are ("on the left"), and a global mean forgets that, so the pooled embedding keeps the
/// last stage's (B, C, s, s) map as it is: pooled = LN([flatten(map); mean(map)]) of width
/// <see cref="ClipVisionConfig.PooledDim"/> (the recognizer's readout). <see cref="ClipModel"/> projects it.
/// </remarks>
public sealed class ClipVisionEncoder : nn.Module<Tensor, Tensor>
{
    private readonly PatEncoder encoder;
    private readonly LayerNorm post_layernorm;

    /// <summary>Creates the image tower with TorchSharp's default initialisation.</summary>
    /// <param name="config">Validated vision config.</param>
    public ClipVisionEncoder(ClipVisionConfig config) : base(nameof(ClipVisionEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        encoder = new PatEncoder(config.Backbone);
        post_layernorm = nn.LayerNorm(config.PooledDim);
        RegisterComponents();
    }

    /// <summary>Gets the config the tower was built from.</summary>
    public ClipVisionConfig Config { get; }

    // (B, 3, S, S) in [-1, 1] -> (B, P) pooled embedding
    public override Tensor forward(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = NewDisposeScope();
        using var features = encoder.Encode(images, includeFeatureMaps: true);
        var map = features.FeatureMaps[^1];                                // (B, C, s, s)
        var readout = cat([map.flatten(1), features.Pooled], dim: 1);     // (B, C*s*s + C)
        return post_layernorm.forward(readout).MoveToOuterDisposeScope(); // (B, P)
    }
}
