using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>A feature map through transformer blocks and back (diffusers' <c>Transformer2DModel</c> with linear projections).</summary>
/// <remarks>
/// y = x + proj_out(blocks(proj_in(tokens(norm(x))))), tokens: (B, C, h, w) -> (B, h·w, C) row-major. The GroupNorm
/// uses eps 1e-6 as in Stable Diffusion. proj_out may be zero-initialised by the owner, making the block start as the identity.
/// With a position embedding, proj_in's tokens get pos_embed_gain ⊙ sincos(row, column) (<see cref="SinCos2D"/>); the gain
/// starts at one, as DiT adds its table, and at zero in a model grown from one trained without it
/// (<see cref="UNet2DConditionModel.LoadGrownWithPositionEmbedding"/>).
/// </remarks>
public sealed class Transformer2DModel : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly GroupNorm norm;
    private readonly Linear proj_in;
    private readonly ModuleList<BasicTransformerBlock> transformer_blocks;
    private readonly Linear proj_out;
    private readonly Parameter? pos_embed_gain;

    /// <summary>Creates the model.</summary>
    /// <param name="channels">Width C of the feature map.</param>
    /// <param name="contextDim">Context width Dc.</param>
    /// <param name="heads">Heads of every attention.</param>
    /// <param name="layers">Transformer blocks.</param>
    /// <param name="groups">GroupNorm groups.</param>
    /// <param name="selfWindows">MSWA-2D windows per head group; empty for full self-attention.</param>
    /// <param name="positionEmbedding">Add a gained 2D sine-cosine position embedding to the tokens (channels divisible by 4).</param>
    public Transformer2DModel(long channels, long contextDim, int heads, int layers, int groups, IReadOnlyList<int> selfWindows, bool positionEmbedding = false)
        : base(nameof(Transformer2DModel))
    {
        if (positionEmbedding)
        {
            pos_embed_gain = nn.Parameter(ones(channels));
        }

        norm = Norms.GroupNorm(groups, channels, 1e-6);
        proj_in = nn.Linear(channels, channels);
        transformer_blocks = nn.ModuleList([.. Enumerable.Range(0, layers).Select(_ => new BasicTransformerBlock(channels, contextDim, heads, selfWindows))]);
        proj_out = nn.Linear(channels, channels);
        RegisterComponents();
    }

    // (B, C, h, w), (B, S, Dc) -> (B, C, h, w)
    public override Tensor forward(Tensor x, Tensor context)
    {
        using var scope = NewDisposeScope();
        var (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        var tokens = norm.forward(x).flatten(2).transpose(1, 2);     // (B, h·w, C)
        tokens = proj_in.forward(tokens);
        if (pos_embed_gain is not null)
        {
            tokens = tokens + (SinCos2D(h, w, c, x.device).to(tokens.dtype) * pos_embed_gain);
        }

        foreach (var block in transformer_blocks)
        {
            tokens = block.forward(tokens, context, h);               // (B, h·w, C)
        }

        var y = proj_out.forward(tokens).transpose(1, 2).reshape(b, c, h, w); // (B, C, h, w)
        return (x + y).MoveToOuterDisposeScope();
    }

    /// <summary>The 2D sine-cosine position table of MAE and DiT: the first half of the channels encodes the row, the second
    /// the column, each as sin then cos of the integer position at frequencies 10000^(-k / (C/4)), k = 0..C/4-1.</summary>
    /// <param name="height">Rows h.</param>
    /// <param name="width">Columns w.</param>
    /// <param name="channels">C, divisible by 4.</param>
    /// <param name="device">Device of the table.</param>
    /// <returns>(h·w, C), row-major like the tokens.</returns>
    public static Tensor SinCos2D(long height, long width, long channels, Device? device = null)
    {
        if (channels % 4 != 0)
        {
            throw new ArgumentException($"a 2D sine-cosine table needs channels divisible by 4, got {channels}", nameof(channels));
        }

        using var scope = NewDisposeScope();
        var quarter = channels / 4;
        var omega = exp(arange(quarter, dtype: ScalarType.Float32, device: device) * (-Math.Log(10000.0) / quarter)); // (C/4)
        Tensor Axis(Tensor positions) => cat([sin(positions.unsqueeze(1) * omega), cos(positions.unsqueeze(1) * omega)], 1); // (n, C/2)
        var rows = Axis(arange(height, dtype: ScalarType.Float32, device: device)).unsqueeze(1).expand(height, width, channels / 2);
        var columns = Axis(arange(width, dtype: ScalarType.Float32, device: device)).unsqueeze(0).expand(height, width, channels / 2);
        return cat([rows, columns], 2).reshape(height * width, channels).MoveToOuterDisposeScope();
    }
}
