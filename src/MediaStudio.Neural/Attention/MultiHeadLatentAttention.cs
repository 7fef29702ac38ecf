using MediaStudio.Neural.Caching;
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Attention;

/// <summary>Multi-head latent attention as X-EcoMLA uses it (arXiv 2503.11132; DeepSeek-V2's MLA).</summary>
/// <remarks>
/// Notation (papers-llm.md §1): x (B, T, D); H heads; d_n, d_r, d_v the nope, rope and value widths; r_q, r_kv ranks.
/// <code>
/// c_q = W_DQ x (optional)           q = W_UQ c_q or W_Q x -> per head [q_n (d_n); q_r (d_r)]
/// [c_kv; k_r] = W_DKV x             k_r: ONE rotary key shared by all heads, cached after RoPE
/// [k_n; v] = W_UKV c_kv             per head
/// score_h = (q_n,h·k_n,h + q_r,h·k_r) / √(d_n + d_r)      y = W_O concat_h softmax(score_h)·v_h
/// </code>
/// The absorbed path never materialises k_n or v: q̃_h = W_UK,hᵀ q_n,h (length r_kv), scores use q̃_h·c_kv, and
/// the attended latent is lifted by W_UV,h just before W_O. The cache holds c_kv and k_r only (<see cref="LatentKvCache"/>).
/// Keys follow DeepSeek's checkpoints: q_proj or q_a_proj/q_b_proj, kv_a_proj_with_mqa, kv_b_proj, o_proj.
/// </remarks>
public sealed class MultiHeadLatentAttention : nn.Module<AttentionInput, AttentionOutput>
{
    private readonly Linear? q_proj;
    private readonly Linear? q_a_proj;
    private readonly Linear? q_b_proj;
    private readonly Linear kv_a_proj_with_mqa;
    private readonly Linear kv_b_proj;
    private readonly Linear o_proj;
    private readonly RotaryEmbedding? rotary_emb;
    private readonly int _heads;
    private readonly int _nope;
    private readonly int _rope;
    private readonly int _value;
    private readonly int _rank;
    private readonly LatentPath _path;

    /// <summary>Builds the layer from a validated config with a <c>latent</c> section.</summary>
    public MultiHeadLatentAttention(AttentionConfig config) : base(nameof(MultiHeadLatentAttention))
    {
        config.Validate();
        var latent = config.Latent ?? throw new ArgumentException("MultiHeadLatentAttention needs a 'latent' section", nameof(config));
        Config = config;
        _heads = config.NumHeads;
        (_nope, _rope, _value, _rank, _path) = (latent.NopeHeadDim, latent.RopeHeadDim, latent.ValueHeadDim, latent.KeyValueRank, latent.Path);
        var d = config.HiddenSize;
        if (latent.QueryRank > 0)
        {
            q_a_proj = nn.Linear(d, latent.QueryRank, hasBias: false, dtype: config.DType);
            q_b_proj = nn.Linear(latent.QueryRank, _heads * (_nope + _rope), hasBias: false, dtype: config.DType);
        }
        else
        {
            q_proj = nn.Linear(d, _heads * (_nope + _rope), hasBias: false, dtype: config.DType);
        }

        kv_a_proj_with_mqa = nn.Linear(d, _rank + _rope, hasBias: false, dtype: config.DType);
        kv_b_proj = nn.Linear(_rank, _heads * (_nope + _value), hasBias: false, dtype: config.DType);
        o_proj = nn.Linear(_heads * _value, d, hasBias: false, dtype: config.DType);
        rotary_emb = _rope > 0 && config.UseRope ? new RotaryEmbedding(_rope, config.RopeTheta, latent.RopeFrequencyDim) : null;
        RegisterComponents();
    }

    public AttentionConfig Config { get; }

    // (B, T, D) -> (B, T, D)
    public override AttentionOutput forward(AttentionInput input)
    {
        var absorbed = _path == LatentPath.Absorbed || (_path == LatentPath.Auto && input.Cache is not null && input.Hidden.shape[1] == 1);
        return absorbed ? ForwardAbsorbed(input) : ForwardNaive(input);
    }

    /// <summary>Up-projects the latent to per-head keys and values, then runs the fused kernel.</summary>
    public AttentionOutput ForwardNaive(AttentionInput input)
    {
        using var scope = NewDisposeScope();
        var (qNope, qRope, latent, ropeKey) = Compress(input);                       // (B,H,T,d_n) (B,H,T,d_r) (B,S,r) (B,1,S,d_r)
        var (b, t, s) = (qNope.shape[0], qNope.shape[2], latent.shape[1]);
        var kv = kv_b_proj.forward(latent).view(b, s, _heads, _nope + _value).transpose(1, 2); // (B, H, S, d_n + d_v)
        var kNope = kv.narrow(-1, 0, _nope);
        var v = kv.narrow(-1, _nope, _value);                                         // (B, H, S, d_v)
        var q = cat([qNope, qRope], -1);                                              // (B, H, T, d_n + d_r)
        var k = cat([kNope, ropeKey.expand(b, _heads, s, _rope)], -1);                // (B, H, S, d_n + d_r)
        var y = ScaledDotProduct.Fused(q, k, v, input.IsCausal, input.KeyPadding, input.Mask); // (B, H, T, d_v)
        return new AttentionOutput(o_proj.forward(y.transpose(1, 2).reshape(b, t, _heads * _value)).MoveToOuterDisposeScope());
    }

    /// <summary>Attends in latent space: W_UK folds into the query, W_UV into the output (the decoding path).</summary>
    public AttentionOutput ForwardAbsorbed(AttentionInput input)
    {
        using var scope = NewDisposeScope();
        var (qNope, qRope, latent, ropeKey) = Compress(input);
        var (b, t, s) = (qNope.shape[0], qNope.shape[2], latent.shape[1]);
        var up = kv_b_proj.weight!.view(_heads, _nope + _value, _rank);              // (H, d_n + d_v, r)
        var upKey = up.narrow(1, 0, _nope);                                           // W_UK (H, d_n, r)
        var upValue = up.narrow(1, _nope, _value);                                    // W_UV (H, d_v, r)
        var qLatent = matmul(qNope, upKey);                                           // q̃ (B, H, T, r)
        var q = cat([qLatent, qRope], -1);                                            // (B, H, T, r + d_r)
        var k = cat([latent.unsqueeze(1), ropeKey], -1);                              // (B, 1, S, r + d_r), one "KV head"
        var scale = 1.0 / Math.Sqrt(_nope + _rope);
        // the values are the latent, i.e. the first r columns of k: attending over k itself keeps q, k and v the same
        // width, which libtorch's CPU flash kernel requires (otherwise it falls back to a dense T×S score matrix)
        Tensor attended;
        if ((t == 1 || !input.IsCausal) && input.KeyPadding is null && input.Mask is null)
        {
            // every head sees the same keys: fold heads into query rows instead of repeating the latent H times
            var rows = q.reshape(b, 1, _heads * t, _rank + _rope);                    // (B, 1, H·T, r + d_r)
            attended = ScaledDotProduct.Fused(rows, k, k, scale: scale).narrow(-1, 0, _rank).reshape(b, _heads, t, _rank);
        }
        else
        {
            attended = ScaledDotProduct.Fused(q, k, k, input.IsCausal, input.KeyPadding, input.Mask, scale).narrow(-1, 0, _rank); // (B, H, T, r)
        }

        var y = matmul(attended, upValue.transpose(1, 2));                            // (B, H, T, d_v)
        return new AttentionOutput(o_proj.forward(y.transpose(1, 2).reshape(b, t, _heads * _value)).MoveToOuterDisposeScope());
    }

    // The shared front half: queries, then the latent and rotated shared key, appended to the cache when there is one.
    private (Tensor QNope, Tensor QRope, Tensor Latent, Tensor RopeKey) Compress(AttentionInput input)
    {
        var x = input.Hidden;
        var (b, t) = (x.shape[0], x.shape[1]);
        var query = q_proj is not null ? q_proj.forward(x) : q_b_proj!.forward(q_a_proj!.forward(x));
        var q = query.view(b, t, _heads, _nope + _rope).transpose(1, 2);              // (B, H, T, d_n + d_r)
        var compressed = kv_a_proj_with_mqa.forward(x);                               // (B, T, r + d_r)
        var latent = compressed.narrow(-1, 0, _rank);                                 // (B, T, r)
        var ropeKey = compressed.narrow(-1, _rank, _rope).unsqueeze(1);               // (B, 1, T, d_r)
        var qNope = q.narrow(-1, 0, _nope);
        var qRope = q.narrow(-1, _nope, _rope);
        var offset = input.Cache?.Length ?? 0;
        if (rotary_emb is not null)
        {
            var positions = arange(offset, offset + t, device: x.device);
            (qRope, ropeKey) = (rotary_emb.forward(qRope, positions), rotary_emb.forward(ropeKey, positions));
        }

        if (input.Cache is not null)
        {
            var cache = input.Cache as LatentKvCache
                ?? throw new ArgumentException($"{nameof(MultiHeadLatentAttention)} decodes with a {nameof(LatentKvCache)}, got {input.Cache.GetType().Name}");
            var (allLatent, allRope) = cache.Update(input.LayerIndex, latent, ropeKey.squeeze(1));
            (latent, ropeKey) = (allLatent, allRope.unsqueeze(1));                    // (B, S, r), (B, 1, S, d_r)
        }

        return (qNope, qRope, latent, ropeKey);
    }
}
