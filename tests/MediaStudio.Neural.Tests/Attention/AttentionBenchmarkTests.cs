using MediaStudio.Neural.Attention;

namespace MediaStudio.Neural.Tests.Attention;

[Collection(NativeTestGroup.Name)]
public sealed class AttentionBenchmarkTests
{
    [Fact]
    public void Run_TinyConfig_ReportsEveryVariantAgainstMha()
    {
        var options = new AttentionBenchmarkOptions
        {
            Lengths = [16],
            HiddenSize = 32,
            Heads = 4,
            GroupedKvHeads = 2,
            LatentRank = 8,
            LatentRopeDim = 4,
            Window = 4,
            Warmup = 0,
            Repeats = 1,
        };

        var rows = AttentionBenchmark.Run(options);

        Assert.Equal(AttentionBenchmark.Variants, rows.Select(r => r.Variant));
        var byName = rows.ToDictionary(r => r.Variant);
        Assert.Equal(1.0, byName[AttentionBenchmark.FullMha].ForwardSpeedup);
        Assert.Equal(2.0, byName["GQA"].CacheReduction);                      // 4 KV heads -> 2
        Assert.Equal(2.0 * 4 * 8 / (8 + 4), byName["MLA naive"].CacheReduction, 6); // 2·H·d / (r_kv + d_r)
        Assert.Equal(4.0, byName["Sliding window"].CacheReduction);           // keeps 4 of 16 tokens
        Assert.Equal(16.0 / ((1 + 2 + 4 + 8) / 4.0), byName["MSWA"].CacheReduction, 6); // windows 1, 2, 4, 8
        Assert.Null(byName["MLA absorbed"].KernelMs);
        Assert.All(rows, r => Assert.True(r.ForwardMs > 0 && r.DecodeMs > 0));
    }
}
