using MediaStudio.Neural.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.UNet;

/// <summary>
/// The prompt pooled into one vector and added to the timestep embedding (diffusers' <c>TextTimeEmbedding</c>,
/// <c>addition_embed_type = "text"</c>, from DeepFloyd IF and Kandinsky): every ResBlock at every resolution then
/// sees the prompt, not only the levels with cross-attention.
/// </summary>
/// <remarks>
/// out = LN₂(proj(pool(LN₁(c)))), with pool the IF attention pooling: one query, the mean token plus a learned
/// position, attends over [query; tokens] with <c>heads</c> heads. Keys follow diffusers: norm1, pool.positional_embedding,
/// pool.q_proj / k_proj / v_proj, proj, norm2.
/// </remarks>
public sealed class TextTimeEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly AttentionPooling pool;
    private readonly Linear proj;
    private readonly LayerNorm norm2;

    /// <summary>Creates the embedding.</summary>
    /// <param name="encoderDim">Width of the context tokens.</param>
    /// <param name="timeEmbedDim">Width of the timestep embedding it is added to.</param>
    /// <param name="heads">Pooling heads; must divide <paramref name="encoderDim"/> (diffusers' default: 64).</param>
    public TextTimeEmbedding(long encoderDim, long timeEmbedDim, long heads) : base(nameof(TextTimeEmbedding))
    {
        norm1 = Norms.LayerNorm(encoderDim);
        pool = new AttentionPooling(encoderDim, heads);
        proj = nn.Linear(encoderDim, timeEmbedDim);
        norm2 = Norms.LayerNorm(timeEmbedDim);
        RegisterComponents();
    }

    // (B, S, Dc) -> (B, Temb)
    public override Tensor forward(Tensor context)
    {
        using var scope = NewDisposeScope();
        return norm2.forward(proj.forward(pool.forward(norm1.forward(context)))).MoveToOuterDisposeScope();
    }

    /// <summary>DeepFloyd IF's attention pooling: the mean token plus a learned position queries the sequence it is prepended to.</summary>
    private sealed class AttentionPooling : nn.Module<Tensor, Tensor>
    {
        private readonly long _heads;
        private readonly Parameter positional_embedding;
        private readonly Linear q_proj;
        private readonly Linear k_proj;
        private readonly Linear v_proj;

        public AttentionPooling(long dim, long heads) : base(nameof(AttentionPooling))
        {
            _heads = heads;
            positional_embedding = nn.Parameter(randn(1, dim) / Math.Sqrt(dim));
            q_proj = nn.Linear(dim, dim);
            k_proj = nn.Linear(dim, dim);
            v_proj = nn.Linear(dim, dim);
            RegisterComponents();
        }

        // (B, S, D) -> (B, D)
        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var (b, d) = (x.shape[0], x.shape[2]);
            var query = x.mean([1], keepdim: true) + positional_embedding;   // (B, 1, D)
            var tokens = cat([query, x], 1);                                  // (B, S+1, D)
            var q = Heads(q_proj.forward(query));                             // (B, H, 1, D/H)
            var k = Heads(k_proj.forward(tokens));                            // (B, H, S+1, D/H)
            var v = Heads(v_proj.forward(tokens));                            // (B, H, S+1, D/H)
            var pooled = nn.functional.scaled_dot_product_attention(q, k, v); // (B, H, 1, D/H)
            return pooled.transpose(1, 2).reshape(b, d).MoveToOuterDisposeScope();

            Tensor Heads(Tensor t) => t.view(b, -1, _heads, d / _heads).transpose(1, 2);
        }
    }
}
