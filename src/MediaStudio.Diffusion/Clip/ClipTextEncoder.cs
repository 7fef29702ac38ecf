using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Clip;

/// <summary>The CLIP text transformer (Radford et al. 2021, sec. 2.4): token + learned position embeddings, causal pre-LN layers, final LayerNorm.</summary>
/// <remarks>
/// Notation: ids (B, T) from <see cref="ClipTokenizer"/>, D width. h_0 = E_tok[ids] + E_pos[0..T); h_l = layer_l(h_{l-1});
/// LastHiddenState = LN(h_L); Pooled = LastHiddenState at the eos position of each row. Because attention is causal,
/// the state at position t depends on ids[0..t] only, so padding after eos changes nothing before it.
/// </remarks>
public sealed class ClipTextEncoder : nn.Module<Tensor, ClipTextOutput>
{
    private readonly Embedding token_embedding;
    private readonly Embedding position_embedding;
    private readonly ModuleList<ClipEncoderLayer> layers;
    private readonly LayerNorm final_layer_norm;

    /// <summary>Creates the text tower with TorchSharp's default initialisation (see <see cref="ClipModel.FromConfig"/>).</summary>
    /// <param name="config">Validated text config.</param>
    public ClipTextEncoder(ClipTextConfig config) : base(nameof(ClipTextEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        token_embedding = nn.Embedding(config.VocabSize, config.HiddenSize);
        position_embedding = nn.Embedding(config.MaxPositionEmbeddings, config.HiddenSize);
        layers = new ModuleList<ClipEncoderLayer>();
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            layers.Add(new ClipEncoderLayer(config));
        }

        final_layer_norm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    /// <summary>Gets the config the tower was built from.</summary>
    public ClipTextConfig Config { get; }

    /// <summary>Gets the token embedding table (for initialisation).</summary>
    internal Embedding TokenEmbedding => token_embedding;

    /// <summary>Gets the position embedding table (for initialisation).</summary>
    internal Embedding PositionEmbedding => position_embedding;

    // ids (B, T) int64 -> LastHiddenState (B, T, D), Pooled (B, D)
    public override ClipTextOutput forward(Tensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using var scope = NewDisposeScope();
        var t = ids.shape[1];
        var positions = arange(t, dtype: ScalarType.Int64, device: ids.device);          // (T)
        var h = token_embedding.forward(ids) + position_embedding.forward(positions);    // (B, T, D)
        for (var i = 0; i < layers.Count; i++)
        {
            h = layers[i].forward(h);                                                    // (B, T, D)
        }

        h = final_layer_norm.forward(h);                                                 // (B, T, D)
        var eos = ids.eq(ClipTokenizer.EosId).to(ScalarType.Int32).argmax(1);           // (B) first eos
        var index = eos.view(-1, 1, 1).expand(-1, 1, h.shape[2]);                       // (B, 1, D)
        var pooled = h.gather(1, index).squeeze(1);                                      // (B, D)
        return new ClipTextOutput(h.MoveToOuterDisposeScope(), pooled.MoveToOuterDisposeScope());
    }
}
