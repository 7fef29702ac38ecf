using MediaStudio.Neural.Caching;
using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Attention;

/// <summary>Multi-scale window attention (MSWA, arXiv 2501.01039): every head has its own window, computed blockwise.</summary>
/// <remarks>
/// Notation as <see cref="GroupedQueryAttention"/>, plus w_h the window of head h (config <c>window_sizes</c>).
/// Heads are grouped into runs of equal window (and equal KV ring, when decoding); each run is one batched call
/// of <see cref="WindowedAttention"/>, so the cost of a head is O(T·w_h) rather than O(T²). The weights and checkpoint
/// keys are those of <see cref="GroupedQueryAttention"/>, so a trained layer can be switched to windows.
/// Forms: <see cref="WindowForm.Causal1D"/> (decodes through a <see cref="SlidingWindowKvCache"/>),
/// <see cref="WindowForm.Temporal1D"/> (frames) and <see cref="WindowForm.Local2D"/> (needs <see cref="AttentionInput.Grid"/>).
/// Padding and arbitrary masks are not supported here: the window is the mask.
/// </remarks>
public sealed class MultiScaleWindowAttention : nn.Module<AttentionInput, AttentionOutput>
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
    private readonly RotaryEmbedding? rotary_emb;
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private readonly int[] _windows;
    private readonly int[] _kvRunOfHead;
    private readonly IReadOnlyList<(int Start, int Count, int Window)> _segments;
    private readonly WindowForm _form;
    private readonly int _block;

    /// <summary>Builds the layer from a validated config with a <c>window</c> section.</summary>
    public MultiScaleWindowAttention(AttentionConfig config) : base(nameof(MultiScaleWindowAttention))
    {
        config.Validate();
        var window = config.Window ?? throw new ArgumentException("MultiScaleWindowAttention needs a 'window' section", nameof(config));
        Config = config;
        _heads = config.NumHeads;
        _kvHeads = config.KeyValueHeads;
        _headDim = config.HeadSize;
        _form = window.Form;
        _block = window.BlockSize;
        _windows = [.. window.Windows];
        KeyValueWindows = WindowSchedule.KeyValueWindows(_windows, _kvHeads);
        var kvRuns = WindowSchedule.Runs(KeyValueWindows);
        var rep = _heads / _kvHeads;
        _kvRunOfHead = [.. Enumerable.Range(0, _heads).Select(h => kvRuns.Select((r, i) => (r, i)).First(p => h / rep >= p.r.Start && h / rep < p.r.Start + p.r.Count).i)];
        // a segment is a run of query heads sharing both their window and their KV ring
        _segments = [.. WindowSchedule.Runs([.. Enumerable.Range(0, _heads).Select(h => (_windows[h] * kvRuns.Count) + _kvRunOfHead[h])])
            .Select(r => (r.Start, r.Count, _windows[r.Start]))];
        q_proj = nn.Linear(config.HiddenSize, _heads * _headDim, hasBias: config.AttentionBias, dtype: config.DType);
        k_proj = nn.Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.AttentionBias, dtype: config.DType);
        v_proj = nn.Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.AttentionBias, dtype: config.DType);
        o_proj = nn.Linear(_heads * _headDim, config.HiddenSize, hasBias: config.AttentionBias, dtype: config.DType);
        rotary_emb = config.UseRope ? new RotaryEmbedding(_headDim, config.RopeTheta) : null;
        RegisterComponents();
    }

    public AttentionConfig Config { get; }

    /// <summary>The window each KV head keeps when decoding; pass one list per layer to <see cref="SlidingWindowKvCache"/>.</summary>
    public IReadOnlyList<int> KeyValueWindows { get; }

    // (B, T, D) -> (B, T, D)
    public override AttentionOutput forward(AttentionInput input)
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = Project(input);                                             // (B, H, T, d), (B, G, T, d) ×2
        var (b, t) = (q.shape[0], q.shape[2]);
        IReadOnlyList<WindowedKeys> sources = input.Cache switch
        {
            null => [new WindowedKeys(0, k, v, 0)],
            SlidingWindowKvCache cache when _form == WindowForm.Causal1D => cache.Update(input.LayerIndex, k, v),
            _ => throw new ArgumentException($"window attention decodes only in form Causal1D with a {nameof(SlidingWindowKvCache)}, got {input.Cache.GetType().Name}"),
        };
        var rep = _heads / _kvHeads;
        var outputs = new List<Tensor>();
        foreach (var (start, count, window) in _segments)
        {
            var source = sources.Count == 1 ? sources[0] : sources[_kvRunOfHead[start]];
            var kvIndex = tensor(Enumerable.Range(start, count).Select(h => (long)((h / rep) - source.KeyHeadStart)).ToArray(), device: q.device);
            var s = source.Keys.shape[2];
            var qs = q.narrow(1, start, count).reshape(b * count, t, _headDim);                 // (B·h, T, d)
            var ks = source.Keys.index_select(1, kvIndex).reshape(b * count, s, _headDim);      // (B·h, S, d)
            var vs = source.Values.index_select(1, kvIndex).reshape(b * count, s, _headDim);
            var ys = _form == WindowForm.Local2D
                ? WindowedAttention.Attend2D(qs, ks, vs, input.Grid!.Value.Height, input.Grid.Value.Width, window, _block)
                : WindowedAttention.Attend1D(qs, ks, vs, window, _form == WindowForm.Causal1D, _block);
            outputs.Add(ys.view(b, count, t, _headDim));                                        // (B, h, T, d)
        }

        var y = cat(outputs, 1).transpose(1, 2).reshape(b, t, _heads * _headDim);             // (B, T, H·d)
        return new AttentionOutput(o_proj.forward(y).MoveToOuterDisposeScope());
    }

    /// <summary>The naive reference: the same layer with a dense (H, T, T) window mask and an explicit softmax. No cache.</summary>
    public AttentionOutput ReferenceForward(AttentionInput input)
    {
        using var scope = NewDisposeScope();
        if (input.Cache is not null)
        {
            throw new ArgumentException("the reference path takes no cache", nameof(input));
        }

        var (q, k, v) = Project(input);
        var (b, t) = (q.shape[0], q.shape[2]);
        var masks = _windows.Select(w => _form == WindowForm.Local2D
            ? WindowedAttention.DenseMask2D(input.Grid!.Value.Height, input.Grid.Value.Width, w, q.device)
            : WindowedAttention.DenseMask1D(t, t, w, _form == WindowForm.Causal1D, q.device)).ToList();
        var y = ScaledDotProduct.Eager(q, k, v, mask: stack(masks).unsqueeze(0));            // (B, H, T, d)
        y = y.transpose(1, 2).reshape(b, t, _heads * _headDim);
        return new AttentionOutput(o_proj.forward(y).MoveToOuterDisposeScope());
    }

    private (Tensor Q, Tensor K, Tensor V) Project(AttentionInput input)
    {
        if (input.KeyPadding is not null || input.Mask is not null)
        {
            throw new ArgumentException("window attention takes no padding or boolean mask: the window is the mask", nameof(input));
        }

        var x = input.Hidden;
        var (b, t) = (x.shape[0], x.shape[1]);
        if (_form == WindowForm.Local2D && (input.Grid is not { } grid || (long)grid.Height * grid.Width != t))
        {
            throw new ArgumentException($"form Local2D needs a Grid whose height x width equals the {t} tokens", nameof(input));
        }

        var q = q_proj.forward(x).view(b, t, _heads, _headDim).transpose(1, 2);     // (B, H, T, d)
        var k = k_proj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);   // (B, G, T, d)
        var v = v_proj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);   // (B, G, T, d)
        if (rotary_emb is not null)
        {
            var offset = input.Cache?.Length ?? 0;
            var positions = arange(offset, offset + t, device: x.device);           // (T)
            (q, k) = (rotary_emb.forward(q, positions), rotary_emb.forward(k, positions));
        }

        return (q, k, v);
    }
}
