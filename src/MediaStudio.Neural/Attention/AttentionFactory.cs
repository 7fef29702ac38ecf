using static TorchSharp.torch;

namespace MediaStudio.Neural.Attention;

/// <summary>Builds the attention variant a config names.</summary>
public static class AttentionFactory
{
    /// <summary>Creates the layer for <see cref="AttentionConfig.Kind"/>.</summary>
    /// <exception cref="ArgumentException">The config is invalid or lacks the variant's section.</exception>
    public static nn.Module<AttentionInput, AttentionOutput> Create(AttentionConfig config) => config.Kind switch
    {
        AttentionKind.GroupedQuery => new GroupedQueryAttention(config),
        AttentionKind.Eager => new GroupedQueryAttention(config, eager: true),
        AttentionKind.MultiHeadLatent => new MultiHeadLatentAttention(config),
        AttentionKind.MultiScaleWindow => new MultiScaleWindowAttention(config),
        _ => throw new ArgumentException($"unknown attention_type {config.Kind}", nameof(config)),
    };
}
