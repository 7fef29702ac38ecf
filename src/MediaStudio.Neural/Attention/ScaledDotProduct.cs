using static TorchSharp.torch;

namespace MediaStudio.Neural.Attention;

/// <summary>The attention kernel shared by every variant: softmax(q·kᵀ·s + mask)·v, fused or eager.</summary>
/// <remarks>
/// Notation: q (B, H, T, d), k (B, Hkv, S, d), v (B, Hkv, S, dv), s the softmax scale (1/√d unless given).
/// KV heads are repeated to H (GQA). The fused path is TorchSharp's <c>scaled_dot_product_attention</c>; this is
/// the only place that calls it, because its causal flag is spelled <c>is_casual</c> and it takes no scale
/// argument (a custom scale is applied by pre-scaling q). Rows whose every key is masked come out NaN on both paths.
/// </remarks>
public static class ScaledDotProduct
{
    /// <summary>Attention with the fused kernel.</summary>
    public static Tensor Fused(Tensor q, Tensor k, Tensor v, bool causal = false, Tensor? keyPadding = null, Tensor? mask = null, double? scale = null)
    {
        using var scope = NewDisposeScope();
        (k, v) = (RepeatKv(k, q.shape[1]), RepeatKv(v, q.shape[1]));
        if (scale is { } s)
        {
            q = q * (s * Math.Sqrt(q.shape[^1])); // sdpa divides by √d itself
        }

        var combined = Combine(q.shape[2], k.shape[2], causal, keyPadding, mask, q.device);
        var useFlag = causal && combined is null && q.shape[2] == k.shape[2];
        var y = nn.functional.scaled_dot_product_attention(q, k, v, combined, 0.0, is_casual: useFlag); // (B, H, T, dv)
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>Attention with an explicit masked softmax (the reference path).</summary>
    public static Tensor Eager(Tensor q, Tensor k, Tensor v, bool causal = false, Tensor? keyPadding = null, Tensor? mask = null, double? scale = null)
    {
        using var scope = NewDisposeScope();
        (k, v) = (RepeatKv(k, q.shape[1]), RepeatKv(v, q.shape[1]));
        var s = scale ?? 1.0 / Math.Sqrt(q.shape[^1]);
        var scores = matmul(q, k.transpose(-2, -1)) * s;                                   // (B, H, T, S)
        var combined = Combine(q.shape[2], k.shape[2], causal, keyPadding, mask, q.device)
            ?? (causal ? CausalMask(q.shape[2], k.shape[2], q.device) : null);
        if (combined is not null)
        {
            scores = scores.masked_fill(combined.logical_not(), double.NegativeInfinity);
        }

        var weights = scores.to(ScalarType.Float32).softmax(-1).to(q.dtype);               // upcast: softmax overflows in half precision
        return matmul(weights, v).MoveToOuterDisposeScope();                               // (B, H, T, dv)
    }

    /// <summary>Bottom-right aligned causal mask: the T queries are the last T of the S positions.</summary>
    /// <returns>(T, S) boolean, true where key position ≤ query position.</returns>
    public static Tensor CausalMask(long queries, long keys, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var queryPositions = arange(keys - queries, keys, device: device).unsqueeze(1); // (T, 1)
        var keyPositions = arange(0, keys, device: device).unsqueeze(0);                 // (1, S)
        return keyPositions.le(queryPositions).MoveToOuterDisposeScope();
    }

    /// <summary>Repeats each KV head for its query group: (B, Hkv, S, d) -> (B, H, S, d).</summary>
    public static Tensor RepeatKv(Tensor kv, long heads)
    {
        var kvHeads = kv.shape[1];
        return kvHeads == heads ? kv : kv.repeat_interleave(heads / kvHeads, dim: 1);
    }

    // The fused kernel's own causal flag is top-left aligned and cannot be combined with a mask, so every case
    // except plain square causal attention is turned into one boolean mask (B|1, H|1, T, S).
    private static Tensor? Combine(long queries, long keys, bool causal, Tensor? keyPadding, Tensor? mask, Device device)
    {
        if (keyPadding is null && mask is null && (!causal || queries == keys || queries == 1))
        {
            return null;
        }

        Tensor? combined = null;
        if (causal && queries > 1)
        {
            combined = CausalMask(queries, keys, device);                         // (T, S)
        }

        if (keyPadding is not null)
        {
            var padding = keyPadding.to(ScalarType.Bool).unsqueeze(1).unsqueeze(1); // (B, 1, 1, S)
            combined = combined is null ? padding : combined.logical_and(padding);
        }

        if (mask is not null)
        {
            var boolean = mask.to(ScalarType.Bool);
            combined = combined is null ? boolean : combined.logical_and(boolean);
        }

        return combined;
    }
}
