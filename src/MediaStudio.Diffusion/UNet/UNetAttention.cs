using MediaStudio.Neural.Attention;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>The UNet's attention layer (diffusers' <c>Attention</c>): self-attention over the h·w tokens, full or MSWA-2D, or cross-attention to the text tokens.</summary>
/// <remarks>
/// Notation: B batch, T = h·w image tokens, S context tokens, C width, Dc context width, H heads, d = C / H.
/// Q = x·W_q, K = c·W_k, V = c·W_v with c = x (self) or the context (cross); y = softmax(Q·Kᵀ/√d)·V·W_o + b_o.
/// Keys as diffusers: to_q, to_k, to_v (no bias), to_out.0. Self-attention of kind "mswa" (papers-media.md, MSWA)
/// splits the heads into equal groups, group g seeing the square 2-D window |Δy|, |Δx| &lt; w_g; each group runs
/// through Neural's tiled <see cref="WindowedAttention.Attend2D"/>, whose cost scales with the window, and a group
/// whose window covers the feature map runs as full attention. Full attention uses the fused SDPA kernel.
/// </remarks>
public sealed class UNetAttention : nn.Module<Tensor, Tensor?, long, Tensor>
{
    private readonly int _heads;
    private readonly long _headDim;
    private readonly bool _cross;
    private readonly int[] _windows;

    private readonly Linear to_q;
    private readonly Linear to_k;
    private readonly Linear to_v;
    private readonly Sequential to_out;

    /// <summary>Creates the layer.</summary>
    /// <param name="queryDim">Width C of the image tokens.</param>
    /// <param name="contextDim">Width Dc of the context; null for self-attention.</param>
    /// <param name="heads">Heads H; must divide C.</param>
    /// <param name="windows">MSWA-2D windows per head group for self-attention; empty for full attention.</param>
    public UNetAttention(long queryDim, long? contextDim, int heads, IReadOnlyList<int> windows) : base(nameof(UNetAttention))
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (heads <= 0 || queryDim % heads != 0)
        {
            throw new ArgumentException($"heads ({heads}) must divide the width ({queryDim})", nameof(heads));
        }

        if (windows.Count > 0 && (contextDim is not null || heads % windows.Count != 0))
        {
            throw new ArgumentException($"windows apply to self-attention only, one per head group dividing the {heads} heads; got {windows.Count}", nameof(windows));
        }

        _heads = heads;
        _headDim = queryDim / heads;
        _cross = contextDim is not null;
        _windows = [.. windows];
        var kvDim = contextDim ?? queryDim;
        to_q = nn.Linear(queryDim, queryDim, hasBias: false);
        to_k = nn.Linear(kvDim, queryDim, hasBias: false);
        to_v = nn.Linear(kvDim, queryDim, hasBias: false);
        to_out = nn.Sequential(("0", nn.Linear(queryDim, queryDim)));
        RegisterComponents();
    }

    // (B, T, C), (B, S, Dc) | null, h (grid height; T = h·w) -> (B, T, C)
    public override Tensor forward(Tensor x, Tensor? context, long height)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (x.shape[0], x.shape[1]);
        var source = _cross ? context ?? throw new ArgumentNullException(nameof(context), "cross-attention needs a context") : x;
        var s = source.shape[1];
        var q = to_q.forward(x).view(b, t, _heads, _headDim).transpose(1, 2);         // (B, H, T, d)
        var k = to_k.forward(source).view(b, s, _heads, _headDim).transpose(1, 2);    // (B, H, S, d)
        var v = to_v.forward(source).view(b, s, _heads, _headDim).transpose(1, 2);    // (B, H, S, d)
        var y = _windows.Length == 0 ? ScaledDotProduct.Fused(q, k, v) : Windowed(q, k, v, height); // (B, H, T, d)
        y = y.transpose(1, 2).reshape(b, t, _heads * _headDim);                      // (B, T, C)
        return to_out.forward(y).MoveToOuterDisposeScope();
    }

    // (B, H, T, d) ×3 -> (B, H, T, d): one call per run of head groups with the same effective window
    private Tensor Windowed(Tensor q, Tensor k, Tensor v, long height)
    {
        var (b, t) = (q.shape[0], q.shape[2]);
        if (height <= 0 || t % height != 0)
        {
            throw new ArgumentException($"MSWA-2D needs a grid height dividing the {t} tokens, got {height}", nameof(height));
        }

        var width = t / height;
        var side = (int)Math.Max(height, width);
        var perGroup = _heads / _windows.Length;
        var effective = _windows.Select(w => Math.Min(w, side)).ToArray();
        var parts = new List<Tensor>();
        for (var g = 0; g < effective.Length;)
        {
            var run = 1;
            while (g + run < effective.Length && effective[g + run] == effective[g])
            {
                run++;
            }

            var (start, count) = (g * perGroup, run * perGroup);
            var (qs, ks, vs) = (q.narrow(1, start, count), k.narrow(1, start, count), v.narrow(1, start, count)); // (B, h, T, d)
            if (effective[g] >= side)
            {
                parts.Add(ScaledDotProduct.Fused(qs, ks, vs));
            }
            else
            {
                var flat = WindowedAttention.Attend2D(qs.reshape(b * count, t, _headDim), ks.reshape(b * count, t, _headDim), vs.reshape(b * count, t, _headDim), (int)height, (int)width, effective[g]);
                parts.Add(flat.view(b, count, t, _headDim));
            }

            g += run;
        }

        return parts.Count == 1 ? parts[0] : cat(parts, 1);
    }
}
