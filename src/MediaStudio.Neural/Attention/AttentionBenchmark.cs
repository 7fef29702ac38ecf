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
    /// <param name="options">Sizes and repeat counts.</param>
    /// <param name="progress">Receives the label of each measurement as it starts.</param>
    public static IReadOnlyList<AttentionBenchmarkRow> Run(AttentionBenchmarkOptions options, IProgress<string>? progress = null)
    {
        var rows = new List<AttentionBenchmarkRow>();
        foreach (var length in options.Lengths)
        {
            var measured = Variants.Select(variant =>
            {
                progress?.Report($"{variant} @ {length}");
                return (variant, Measure(variant, length, options));
            }).ToList();
            var reference = measured[0].Item2;
            rows.AddRange(measured.Select(m => new AttentionBenchmarkRow(
                m.variant,
                length,
                m.Item2.ForwardMs,
                reference.ForwardMs / m.Item2.ForwardMs,
                m.Item2.KernelMs,
                m.Item2.KernelMs is { } kernel ? reference.KernelMs!.Value / kernel : null,
                m.Item2.DecodeMs,
                m.Item2.DecodeMs is { } decode ? reference.DecodeMs!.Value / decode : null,
                m.Item2.BytesPerToken,
                reference.BytesPerToken / m.Item2.BytesPerToken)));
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

    private static (double ForwardMs, double? KernelMs, double? DecodeMs, double BytesPerToken) Measure(string variant, int length, AttentionBenchmarkOptions options)
    {
        manual_seed(0);
        var config = ConfigFor(variant, options);
        using var attention = AttentionFactory.Create(config);
        using var noGrad = no_grad();
        using var x = randn([1, length, options.HiddenSize], generator: new Generator(1));
        var forwardMs = Median(options, () => attention.forward(new AttentionInput(x) { IsCausal = true }));
        var kernelMs = MeasureKernel(config, length, options);

        using var cache = CreateCache(attention, config, length + 1);
        double? decodeMs = null;
        if (options.Decode)
        {
            using (NewDisposeScope())
            {
                attention.forward(new AttentionInput(x) { IsCausal = true, Cache = cache }); // prefill
            }

            using var next = randn([1, 1, options.HiddenSize], generator: new Generator(2));
            decodeMs = Median(options, () =>
            {
                cache.Truncate(length);
                attention.forward(new AttentionInput(next) { IsCausal = true, Cache = cache });
            });
        }

        return (forwardMs, kernelMs, decodeMs, cache.BytesAt(length) / (double)length);
    }

    // The attention operation alone, on given q, k, v (B = 1, causal): what the window variants change. MLA has no
    // comparable stand-alone kernel (its up-projections are part of the method), so it reports none.
    private static double? MeasureKernel(AttentionConfig config, int length, AttentionBenchmarkOptions options)
    {
        if (config.Kind == AttentionKind.MultiHeadLatent)
        {
            return null;
        }

        var (heads, kvHeads, d) = (config.NumHeads, config.KeyValueHeads, config.HeadSize);
        using var noGrad = no_grad();
        using var q = randn([1, heads, length, d], generator: new Generator(3));
        using var k = randn([1, kvHeads, length, d], generator: new Generator(4));
        using var v = randn([1, kvHeads, length, d], generator: new Generator(5));
        if (config.Window is not { } window)
        {
            return Median(options, () => ScaledDotProduct.Fused(q, k, v, causal: true));
        }

        return Median(options, () =>
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
        });
    }

    private static IKvCache CreateCache(nn.Module<AttentionInput, AttentionOutput> attention, AttentionConfig config, int capacity) => attention switch
    {
        MultiHeadLatentAttention => new LatentKvCache(1, 1, config.Latent!.KeyValueRank, config.Latent.RopeHeadDim, capacity, config.DType),
        MultiScaleWindowAttention windowed => new SlidingWindowKvCache([windowed.KeyValueWindows], 1, config.HeadSize, headroom: 1, config.DType),
        _ => new FullKvCache(1, 1, config.KeyValueHeads, config.HeadSize, capacity, config.DType),
    };

    private static double Median(AttentionBenchmarkOptions options, Action forward)
    {
        var times = new List<double>();
        for (var i = 0; i < options.Warmup + options.Repeats; i++)
        {
            using var scope = NewDisposeScope();
            var watch = Stopwatch.StartNew();
            forward();
            watch.Stop();
            if (i >= options.Warmup)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        times.Sort();
        return times.Count % 2 == 1 ? times[times.Count / 2] : (times[(times.Count / 2) - 1] + times[times.Count / 2]) / 2;
    }
}
