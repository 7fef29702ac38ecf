using System.Diagnostics;
using MediaStudio.Neural.Caching;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Attention;

/// <summary>Settings of <see cref="AttentionBenchmark"/>.</summary>
/// <remarks>Defaults: d_model 256, 8 heads of 32, GQA with 2 KV heads, MLA r_kv 64 + d_r 16 (X-EcoMLA's 6.4× point),
/// sliding window 256 and MSWA windows w/4, w/2, w, 2w over head pairs; 1 warm-up and 5 timed repeats.</remarks>
public sealed record AttentionBenchmarkOptions
{
    public IReadOnlyList<int> Lengths { get; init; } = [256, 1024, 4096];

    public int HiddenSize { get; init; } = 256;

    public int Heads { get; init; } = 8;

    public int GroupedKvHeads { get; init; } = 2;

    public int LatentRank { get; init; } = 64;

    public int LatentRopeDim { get; init; } = 16;

    public int Window { get; init; } = 256;

    public int Warmup { get; init; } = 1;

    public int Repeats { get; init; } = 5;

    public bool Decode { get; init; } = true;
}

/// <summary>One variant at one sequence length; ratios are against full MHA measured in the same run.</summary>
public sealed record AttentionBenchmarkRow(
    string Variant,
    int Length,
    double ForwardMs,
    double ForwardSpeedup,
    double? KernelMs,
    double? KernelSpeedup,
    double? DecodeMs,
    double? DecodeSpeedup,
    double CacheBytesPerToken,
    double CacheReduction);

/// <summary>Times one attention layer per variant (median of repeats, forward under no_grad, batch 1, causal) and reads each cache's exact bytes per token.</summary>
public static class AttentionBenchmark
{
    public const string FullMha = "MHA (full)";

    /// <summary>The variants measured, in table order.</summary>
    public static IReadOnlyList<string> Variants { get; } = [FullMha, "GQA", "MLA naive", "MLA absorbed", "Sliding window", "MSWA"];

    /// <summary>Runs every variant at every length.</summary>
    /// <remarks>Within a length the variants are timed round-robin (repeat r of every variant, then repeat r + 1), so
    /// load from other processes falls on all of them alike; each figure is the median of its repeats.</remarks>
    /// <param name="options">Sizes and repeat counts.</param>
    /// <param name="progress">Receives the label of each length and phase as it starts.</param>
    public static IReadOnlyList<AttentionBenchmarkRow> Run(AttentionBenchmarkOptions options, IProgress<string>? progress = null)
    {
        var rows = new List<AttentionBenchmarkRow>();
        foreach (var length in options.Lengths)
        {
            using var subjects = new Subjects(options, length);
            progress?.Report($"forward @ {length}");
            var forward = Interleaved(options, subjects.Forwards);
            progress?.Report($"kernel @ {length}");
            var kernel = Interleaved(options, subjects.Kernels);
            progress?.Report($"decode @ {length}");
            var decode = options.Decode ? Interleaved(options, subjects.Decodes) : null;
            for (var i = 0; i < Variants.Count; i++)
            {
                double? Ratio(double?[]? ms) => ms?[i] is { } value && ms[0] is { } reference ? reference / value : null;
                var bytes = subjects.Caches[i].BytesAt(length) / (double)length;
                rows.Add(new AttentionBenchmarkRow(
                    Variants[i],
                    length,
                    forward[i]!.Value,
                    Ratio(forward)!.Value,
                    kernel[i],
                    Ratio(kernel),
                    decode?[i],
                    Ratio(decode),
                    bytes,
                    (subjects.Caches[0].BytesAt(length) / (double)length) / bytes));
            }
        }

        return rows;
    }

    /// <summary>The config of a variant, as used by the benchmark.</summary>
    public static AttentionConfig ConfigFor(string variant, AttentionBenchmarkOptions options)
    {
        var baseConfig = new AttentionConfig { HiddenSize = options.HiddenSize, NumHeads = options.Heads };
        var headDim = baseConfig.HeadSize;
        var w = options.Window;
        return variant switch
        {
            FullMha => baseConfig,
            "GQA" => baseConfig with { NumKeyValueHeads = options.GroupedKvHeads },
            "MLA naive" or "MLA absorbed" => baseConfig with
            {
                Kind = AttentionKind.MultiHeadLatent,
                Latent = new LatentAttentionConfig
                {
                    KeyValueRank = options.LatentRank,
                    NopeHeadDim = headDim - options.LatentRopeDim,
                    RopeHeadDim = options.LatentRopeDim,
                    ValueHeadDim = headDim,
                    Path = variant == "MLA naive" ? LatentPath.Naive : LatentPath.Absorbed,
                },
            },
            "Sliding window" => baseConfig with { Kind = AttentionKind.MultiScaleWindow, Window = new WindowAttentionConfig { Windows = [.. Enumerable.Repeat(w, options.Heads)] } },
            "MSWA" => baseConfig with { Kind = AttentionKind.MultiScaleWindow, Window = new WindowAttentionConfig { Windows = WindowSchedule.ForLayer(w, 0, 1, options.Heads) } },
            _ => throw new ArgumentException($"unknown variant '{variant}'", nameof(variant)),
        };
    }

    // The attention operation alone, on given q, k, v (B = 1, causal): what the window variants change. MLA has no
    // comparable stand-alone kernel (its up-projections are part of the method), so it reports none.
    private static Action? Kernel(AttentionConfig config, Tensor q, Tensor k, Tensor v)
    {
        if (config.Kind == AttentionKind.MultiHeadLatent)
        {
            return null;
        }

        var (length, d) = (q.shape[2], q.shape[3]);
        if (config.Window is not { } window)
        {
            var (keys, values) = (k.narrow(1, 0, config.KeyValueHeads), v.narrow(1, 0, config.KeyValueHeads));
            return () => ScaledDotProduct.Fused(q, keys, values, causal: true);
        }

        return () =>
        {
            foreach (var (start, count, w) in WindowSchedule.Runs(window.Windows))
            {
                WindowedAttention.Attend1D(
                    q.narrow(1, start, count).reshape(count, length, d),
                    k.narrow(1, start, count).reshape(count, length, d),
                    v.narrow(1, start, count).reshape(count, length, d),
                    w,
                    causal: true);
            }
        };
    }

    private static IKvCache CreateCache(nn.Module<AttentionInput, AttentionOutput> attention, AttentionConfig config, int capacity) => attention switch
    {
        MultiHeadLatentAttention => new LatentKvCache(1, 1, config.Latent!.KeyValueRank, config.Latent.RopeHeadDim, capacity, config.DType),
        MultiScaleWindowAttention windowed => new SlidingWindowKvCache([windowed.KeyValueWindows], 1, config.HeadSize, dtype: config.DType),
        _ => new FullKvCache(1, 1, config.KeyValueHeads, config.HeadSize, capacity, config.DType),
    };

    // Repeat r of every subject, then repeat r + 1; medians per subject. Null subjects stay null.
    private static double?[] Interleaved(AttentionBenchmarkOptions options, List<Action?> subjects)
    {
        var times = subjects.Select(_ => new List<double>()).ToArray();
        for (var repeat = 0; repeat < options.Warmup + options.Repeats; repeat++)
        {
            for (var i = 0; i < subjects.Count; i++)
            {
                if (subjects[i] is not { } run)
                {
                    continue;
                }

                using var scope = NewDisposeScope();
                var watch = Stopwatch.StartNew();
                run();
                watch.Stop();
                if (repeat >= options.Warmup)
                {
                    times[i].Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }

        return [.. times.Select(t => t.Count == 0 ? (double?)null : Median(t))];
    }

    private static double Median(List<double> times)
    {
        times.Sort();
        return times.Count % 2 == 1 ? times[times.Count / 2] : (times[(times.Count / 2) - 1] + times[times.Count / 2]) / 2;
    }

    // Every variant's module, input, cache (prefilled to the length) and timed actions for one length.
    private sealed class Subjects : IDisposable
    {
        private readonly List<IDisposable> _owned = [];
        private readonly IDisposable _noGrad = no_grad();

        public Subjects(AttentionBenchmarkOptions options, int length)
        {
            var x = Own(randn([1, length, options.HiddenSize], generator: new Generator(1)).DetachFromDisposeScope());
            var next = Own(randn([1, 1, options.HiddenSize], generator: new Generator(2)).DetachFromDisposeScope());
            var headDim = options.HiddenSize / options.Heads;
            var q = Own(randn([1, options.Heads, length, headDim], generator: new Generator(3)).DetachFromDisposeScope());
            var k = Own(randn([1, options.Heads, length, headDim], generator: new Generator(4)).DetachFromDisposeScope());
            var v = Own(randn([1, options.Heads, length, headDim], generator: new Generator(5)).DetachFromDisposeScope());
            foreach (var variant in Variants)
            {
                manual_seed(0);
                var config = ConfigFor(variant, options);
                var attention = Own(AttentionFactory.Create(config));
                var cache = Own(CreateCache(attention, config, length + options.Warmup + options.Repeats + 1));
                if (options.Decode)
                {
                    using var prefill = NewDisposeScope();
                    attention.forward(new AttentionInput(x) { IsCausal = true, Cache = cache });
                }

                Forwards.Add(() => attention.forward(new AttentionInput(x) { IsCausal = true }));
                Kernels.Add(Kernel(config, q, k, v));
                // each timed decode step appends one token: the context grows from T to T + repeats, a negligible drift
                Decodes.Add(() => attention.forward(new AttentionInput(next) { IsCausal = true, Cache = cache }));
                Caches.Add(cache);
            }
        }

        public List<Action?> Forwards { get; } = [];

        public List<Action?> Kernels { get; } = [];

        public List<Action?> Decodes { get; } = [];

        public List<IKvCache> Caches { get; } = [];

        public void Dispose()
        {
            foreach (var item in _owned)
            {
                item.Dispose();
            }

            _noGrad.Dispose();
        }

        private T Own<T>(T item)
            where T : IDisposable
        {
            _owned.Add(item);
            return item;
        }
    }
}
