using System.Text.Json.Serialization;

namespace MediaStudio.Neural.Attention;

/// <summary>The attention variants <see cref="AttentionFactory"/> can build.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AttentionKind>))]
public enum AttentionKind
{
    /// <summary>Multi-head attention with grouped KV heads (MHA when the head counts match), fused kernel.</summary>
    GroupedQuery,

    /// <summary>The same layer computed with an explicit masked softmax: the readable reference for the fused path.</summary>
    Eager,

    /// <summary>Multi-head latent attention (DeepSeek-V2 / X-EcoMLA).</summary>
    MultiHeadLatent,

    /// <summary>Multi-scale window attention (per-head windows, blocked computation).</summary>
    MultiScaleWindow,
}

/// <summary>The token layout a window attention runs over.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WindowForm>))]
public enum WindowForm
{
    /// <summary>A causal 1-D sequence (language): query i sees keys j with 0 ≤ i − j &lt; w.</summary>
    Causal1D,

    /// <summary>Image tokens on an H×W grid (UNet self-attention): |Δy| &lt; w and |Δx| &lt; w.</summary>
    Local2D,

    /// <summary>A bidirectional 1-D sequence over frames (video motion modules): |i − j| &lt; w.</summary>
    Temporal1D,
}

/// <summary>Which MLA computation a forward uses.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LatentPath>))]
public enum LatentPath
{
    /// <summary>Absorbed when decoding from a cache with a single new token, naive otherwise.</summary>
    Auto,

    /// <summary>Up-project the latent to per-head keys and values, then attend.</summary>
    Naive,

    /// <summary>Fold the key up-projection into the query and the value up-projection into the output.</summary>
    Absorbed,
}
