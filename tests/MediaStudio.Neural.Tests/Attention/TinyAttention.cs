using MediaStudio.Neural.Attention;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Attention;

/// <summary>Tiny seeded configs and comparison helpers shared by the attention tests.</summary>
internal static class TinyAttention
{
    public static AttentionConfig Config(int heads = 4, int kvHeads = 4, int hidden = 32, bool rope = true) => new()
    {
        HiddenSize = hidden,
        NumHeads = heads,
        NumKeyValueHeads = kvHeads,
        UseRope = rope,
    };

    public static Tensor Hidden(long batch, long tokens, long hidden = 32, int seed = 11) =>
        randn([batch, tokens, hidden], generator: new Generator((ulong)seed));

    public static float MaxAbsDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();
}
