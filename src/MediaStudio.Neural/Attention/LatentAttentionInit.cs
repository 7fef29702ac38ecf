using static TorchSharp.torch;

namespace MediaStudio.Neural.Attention;

/// <summary>X-EcoMLA's SVD initialisation: an MLA layer upcycled from a trained MHA/GQA layer (papers-llm.md §1).</summary>
/// <remarks>
/// Steps, with the source's W_Q (H·d, D), W_K and W_V (G·d, D), W_O (D, H·d):
/// 1. Split every head into a rotary slice of d_r dims and a nope slice of d − d_r. The rotary slice is made of whole
///    Llama pairs (i, i + d/2) for the d_r/2 highest frequencies, and keeps their frequencies (the notes' [ours]
///    choice, <c>rope_frequency_dim</c> = d), so no pairing or frequency changes.
/// 2. Q: truncated SVD W_Q = U Σ Vᵀ; W_DQ = Σ_r V_rᵀ, W_UQ = U_r (or W_Q itself when the query rank is 0).
/// 3. KV: repeat W_K and W_V to H heads, stack [W_K′; W_V′] and take one joint SVD; W_DKV = Σ_r V_rᵀ; the key block of
///    U_r keeps each head's nope rows (W_UK), the value block gives W_UV.
/// 4. The shared rotary key W_KR is the mean of W_K over its G heads, restricted to the rotary rows.
/// 5. W_O is copied. d_v = d, and the softmax scale stays 1/√(d_n + d_r) = 1/√d.
/// With d_r = 0, no RoPE and full ranks the result computes exactly what the source computes; with RoPE the nope
/// dims lose their rotation and the rotary key is shared, which distillation has to repair.
/// </remarks>
public static class LatentAttentionInit
{
    /// <summary>Builds an MLA layer from a trained attention layer's q/k/v/o projections.</summary>
    /// <param name="source">A <see cref="GroupedQueryAttention"/> or <see cref="MultiScaleWindowAttention"/> (same keys), without bias.</param>
    /// <param name="sourceConfig">The source layer's config.</param>
    /// <param name="kvRank">r_kv, at most min(D, 2·H·d).</param>
    /// <param name="queryRank">r_q; 0 keeps a full query projection.</param>
    /// <param name="ropeDim">d_r, even and below d; 0 drops the rotary part (and with it RoPE).</param>
    public static MultiHeadLatentAttention FromAttention(nn.Module source, AttentionConfig sourceConfig, int kvRank, int queryRank = 0, int ropeDim = 0)
    {
        sourceConfig.Validate();
        var (heads, kvHeads, d, hidden) = (sourceConfig.NumHeads, sourceConfig.KeyValueHeads, sourceConfig.HeadSize, sourceConfig.HiddenSize);
        if (ropeDim < 0 || ropeDim % 2 != 0 || ropeDim >= d)
        {
            throw new ArgumentException($"ropeDim must be even and in [0, head_dim={d}), got {ropeDim}", nameof(ropeDim));
        }

        if (kvRank <= 0 || kvRank > Math.Min(hidden, 2 * heads * d))
        {
            throw new ArgumentException($"kvRank must be in [1, {Math.Min(hidden, 2 * heads * d)}], got {kvRank}", nameof(kvRank));
        }

        var config = new AttentionConfig
        {
            Kind = AttentionKind.MultiHeadLatent,
            HiddenSize = hidden,
            NumHeads = heads,
            NumKeyValueHeads = heads,
            HeadDim = d,
            RopeTheta = sourceConfig.RopeTheta,
            UseRope = ropeDim > 0,
            DType = sourceConfig.DType,
            Latent = new LatentAttentionConfig
            {
                QueryRank = queryRank,
                KeyValueRank = kvRank,
                NopeHeadDim = d - ropeDim,
                RopeHeadDim = ropeDim,
                ValueHeadDim = d,
                RopeFrequencyDim = ropeDim > 0 ? d : 0,
            },
        };
        var mla = new MultiHeadLatentAttention(config);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weights = source.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        if (weights.Keys.Any(k => k.EndsWith(".bias", StringComparison.Ordinal)))
        {
            throw new ArgumentException("SVD initialisation supports projections without bias only", nameof(source));
        }

        Tensor Weight(string key) => weights.TryGetValue(key, out var w)
            ? w.detach().to(ScalarType.Float64)
            : throw new ArgumentException($"source has no '{key}'", nameof(source));

        // 1. per-head row order [nope dims; rotary dims], rotary = pairs (i, i + d/2) for i < d_r/2
        var half = d / 2;
        var ropeRows = Enumerable.Range(0, ropeDim / 2).Concat(Enumerable.Range(half, ropeDim / 2)).ToArray();
        var order = tensor(Enumerable.Range(0, d).Except(ropeRows).Concat(ropeRows).Select(i => (long)i).ToArray());
        var wq = Weight("q_proj.weight").view(heads, d, hidden).index_select(1, order).reshape(heads * d, hidden); // (H·d, D)
        var wk = Weight("k_proj.weight").view(kvHeads, d, hidden);                                                 // (G, d, D)
        var wv = Weight("v_proj.weight").view(kvHeads, d, hidden);

        // 2. query
        var target = mla.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        if (queryRank > 0)
        {
            var (down, up) = Factor(wq, queryRank);
            target["q_a_proj.weight"].copy_(down);
            target["q_b_proj.weight"].copy_(up);
        }
        else
        {
            target["q_proj.weight"].copy_(wq);
        }

        // 3. joint KV SVD over GQA expanded to H heads
        var rep = heads / kvHeads;
        var keysExpanded = wk.repeat_interleave(rep, dim: 0).index_select(1, order).reshape(heads * d, hidden);  // (H·d, D)
        var valuesExpanded = wv.repeat_interleave(rep, dim: 0).reshape(heads * d, hidden);                       // (H·d, D)
        var (latentDown, latentUp) = Factor(cat([keysExpanded, valuesExpanded], 0), kvRank);                     // (r, D), (2·H·d, r)
        var upKey = latentUp.narrow(0, 0, heads * d).view(heads, d, kvRank).narrow(1, 0, d - ropeDim);           // (H, d_n, r)
        var upValue = latentUp.narrow(0, heads * d, heads * d).view(heads, d, kvRank);                           // (H, d, r)
        target["kv_b_proj.weight"].copy_(cat([upKey, upValue], 1).reshape(heads * ((2 * d) - ropeDim), kvRank));

        // 4. shared rotary key: mean over KV heads of the rotary rows
        var ropeKey = wk.mean([0]).index_select(0, order.narrow(0, d - ropeDim, ropeDim));                       // (d_r, D)
        target["kv_a_proj_with_mqa.weight"].copy_(cat([latentDown, ropeKey], 0));

        // 5. output projection
        target["o_proj.weight"].copy_(Weight("o_proj.weight"));
        return mla;
    }

    // Truncated SVD A ≈ (U_r)(Σ_r V_rᵀ): returns (down = Σ_r V_rᵀ, up = U_r).
    private static (Tensor Down, Tensor Up) Factor(Tensor a, int rank)
    {
        var (u, s, vh) = linalg.svd(a, fullMatrices: false);
        var down = s.narrow(0, 0, rank).unsqueeze(1) * vh.narrow(0, 0, rank);   // (r, D)
        return (down, u.narrow(1, 0, rank));                                     // (rows, r)
    }
}
