using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Pat;

/// <summary>PAT_sf: partial 3x3 conv on C/n_div channels plus multi-head self-attention with a relative-position bias on the rest.</summary>
/// <remarks>
/// Notation: C width, Cp = C / n_div, Cu = C - Cp, N = H * W tokens, h heads, d = Cu / h.
/// Following PATNet (arXiv 2503.03148, PAT_sf) and iRPE (Wu et al., 2021; Euclidean method, bias mode, keys only):
/// logits = (q d^-1/2) k^T + P[h, bucket(i, j)], bucket(i, j) = Beta + g(||pos_i - pos_j||_2), where g rounds
/// exactly up to Alpha and log-compresses beyond it up to Beta. The table P (h, 2 Beta + 1) starts at zero.
/// </remarks>
public sealed class PatSelfAttention : nn.Module<Tensor, Tensor>
{
    /// <summary>Distance up to which buckets are exact (iRPE alpha).</summary>
    public const int Alpha = 20;

    /// <summary>Largest bucket offset (iRPE beta); the table has 2 * Beta + 1 entries per head.</summary>
    public const int Beta = 40;

    /// <summary>Distance mapped to the last bucket by the log compression (iRPE gamma).</summary>
    public const int Gamma = 160;

    private readonly long _convChannels;
    private readonly long _untouchedChannels;
    private readonly long _heads;
    private readonly double _dropout;

    private readonly Conv2d partial_conv3;
    private readonly LayerNorm norm;
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly Dropout proj_drop;
    private readonly Parameter relative_position_bias_table;

    /// <summary>Creates the mixer.</summary>
    /// <param name="channels">Block width C.</param>
    /// <param name="nDiv">Split divisor; the conv sees C / nDiv channels.</param>
    /// <param name="heads">Attention heads; must divide C - C / nDiv.</param>
    /// <param name="dropout">Dropout on the attention weights and on the projection output.</param>
    public PatSelfAttention(long channels, int nDiv, int heads, double dropout) : base(nameof(PatSelfAttention))
    {
        _convChannels = PatSplit.ConvChannels(channels, nDiv);
        _untouchedChannels = channels - _convChannels;
        if (heads < 1 || _untouchedChannels % heads != 0)
        {
            throw new ArgumentException($"PAT_sf heads ({heads}) must divide the {_untouchedChannels} untouched channels", nameof(heads));
        }

        _heads = heads;
        _dropout = dropout;
        partial_conv3 = nn.Conv2d(_convChannels, _convChannels, 3, padding: 1, bias: false);
        norm = Norms.LayerNorm(_untouchedChannels);
        qkv = nn.Linear(_untouchedChannels, 3 * _untouchedChannels, hasBias: false);
        proj = nn.Linear(_untouchedChannels, _untouchedChannels);
        proj_drop = nn.Dropout(dropout);
        relative_position_bias_table = new Parameter(zeros(heads, (2 * Beta) + 1));
        RegisterComponents();
    }

    // (B, C, H, W) -> (B, C, H, W)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (b, h, w) = (x.shape[0], x.shape[2], x.shape[3]);
        var d = _untouchedChannels / _heads;
        var parts = x.split([_convChannels, _untouchedChannels], dim: 1);            // (B, Cp, H, W), (B, Cu, H, W)
        var y1 = partial_conv3.forward(parts[0]);                                    // (B, Cp, H, W)
        var t = norm.forward(parts[1].flatten(2).transpose(1, 2));                   // (B, N, Cu): LayerNorm2d over channels
        var qkvHeads = qkv.forward(t).view(b, h * w, 3, _heads, d).permute(2, 0, 3, 1, 4); // (3, B, h, N, d)
        var bias = RelativePositionBias(h, w).unsqueeze(0);                          // (1, h, N, N)
        var attended = nn.functional.scaled_dot_product_attention(
            qkvHeads[0], qkvHeads[1], qkvHeads[2], bias, training ? _dropout : 0);     // (B, h, N, d)
        var tokens = proj_drop.forward(proj.forward(attended.transpose(1, 2).reshape(b, h * w, _untouchedChannels))); // (B, N, Cu)
        var y2 = tokens.transpose(1, 2).reshape(b, _untouchedChannels, h, w);        // (B, Cu, H, W)
        return cat([y1, y2], dim: 1).MoveToOuterDisposeScope();                      // (B, C, H, W)
    }

    /// <summary>Computes the iRPE bucket of every (query, key) pair on an H x W grid, row-major token order.</summary>
    /// <param name="height">Map height H.</param>
    /// <param name="width">Map width W.</param>
    /// <returns>N x N bucket indices in [0, 2 * Beta], N = H * W.</returns>
    public static long[] RelativePositionBuckets(long height, long width)
    {
        var n = height * width;
        var buckets = new long[n * n];
        for (var i = 0L; i < n; i++)
        {
            for (var j = 0L; j < n; j++)
            {
                var dy = (double)((i / width) - (j / width));
                var dx = (double)((i % width) - (j % width));
                buckets[(i * n) + j] = Beta + PiecewiseIndex(Math.Sqrt((dy * dy) + (dx * dx)));
            }
        }

        return buckets;
    }

    // iRPE piecewise_index for a non-negative distance: exact up to Alpha, log-compressed to at most Beta beyond.
    private static long PiecewiseIndex(double distance)
    {
        if (distance <= Alpha)
        {
            return (long)Math.Round(distance, MidpointRounding.ToEven);
        }

        var compressed = Alpha + (Math.Log(distance / Alpha) / Math.Log((double)Gamma / Alpha) * (Beta - Alpha));
        return Math.Min(Beta, (long)Math.Round(compressed, MidpointRounding.ToEven));
    }

    // (h, N, N) bias gathered from the table
    private Tensor RelativePositionBias(long height, long width)
    {
        var n = height * width;
        using var index = tensor(RelativePositionBuckets(height, width), device: relative_position_bias_table.device); // (N * N)
        return relative_position_bias_table.index_select(1, index).view(_heads, n, n).to(qkv.weight!.dtype);
    }
}
