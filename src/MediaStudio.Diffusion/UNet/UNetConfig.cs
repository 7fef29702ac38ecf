using System.Globalization;
using System.Text.Json.Serialization;
using MediaStudio.Neural.Checkpoints;

namespace MediaStudio.Diffusion.UNet;

/// <summary>Configuration of a <see cref="UNet2DConditionModel"/>: the Stable Diffusion UNet family, scaled by width and depth.</summary>
/// <remarks>
/// Mirrors diffusers' <c>UNet2DConditionModel</c> config where the names mean the same. Level i has width
/// <c>block_out_channels[i]</c> and runs at 1/2^i of the sample size. <c>attention[i]</c> chooses what level i's
/// transformer blocks use for self-attention: "full", "mswa" (2-D multi-scale windows, <see cref="MswaWindows"/>) or
/// "none" (no transformer at that level, diffusers' plain DownBlock2D/UpBlock2D, as Stable Diffusion's lowest level).
/// </remarks>
public sealed record UNetConfig : IModelConfig
{
    /// <summary>The attention kinds a level may use.</summary>
    public static IReadOnlyList<string> AttentionKinds { get; } = [None, Full, Mswa];

    /// <summary>No transformer at the level.</summary>
    public const string None = "none";

    /// <summary>Full self-attention over the h·w tokens.</summary>
    public const string Full = "full";

    /// <summary>MSWA-2D: square local windows, a different window per head group.</summary>
    public const string Mswa = "mswa";

    /// <summary>Latent channels in. Defaults to 4.</summary>
    [JsonPropertyName("in_channels")]
    public int InChannels { get; init; } = 4;

    /// <summary>Channels out (ε or v). Defaults to 4.</summary>
    [JsonPropertyName("out_channels")]
    public int OutChannels { get; init; } = 4;

    /// <summary>Latent side h = w the model is trained at (information for the pipeline). Defaults to 16.</summary>
    [JsonPropertyName("sample_size")]
    public int SampleSize { get; init; } = 16;

    /// <summary>Width of each resolution level, highest resolution first.</summary>
    [JsonPropertyName("block_out_channels")]
    public IReadOnlyList<int> BlockOutChannels { get; init; } = [64, 128, 128];

    /// <summary>ResBlocks per down level (up levels have one more). Defaults to 1.</summary>
    [JsonPropertyName("layers_per_block")]
    public int LayersPerBlock { get; init; } = 1;

    /// <summary>GroupNorm groups everywhere. Defaults to 32.</summary>
    [JsonPropertyName("norm_num_groups")]
    public int NormNumGroups { get; init; } = 32;

    /// <summary>GroupNorm eps of the ResBlocks and the output norm. Defaults to 1e-5 (diffusers).</summary>
    [JsonPropertyName("norm_eps")]
    public double NormEps { get; init; } = 1e-5;

    /// <summary>Width Dc of the conditioning tokens (the text encoder's width).</summary>
    [JsonPropertyName("cross_attention_dim")]
    public int CrossAttentionDim { get; init; } = 128;

    /// <summary>Heads of every attention layer (Stable Diffusion 1.5: 8; diffusers calls it attention_head_dim there).</summary>
    [JsonPropertyName("num_attention_heads")]
    public int NumAttentionHeads { get; init; } = 4;

    /// <summary>Transformer blocks inside each Transformer2DModel. Defaults to 1.</summary>
    [JsonPropertyName("transformer_layers_per_block")]
    public int TransformerLayersPerBlock { get; init; } = 1;

    /// <summary>Self-attention kind per level ("none", "full" or "mswa"); one entry per <see cref="BlockOutChannels"/>.</summary>
    [JsonPropertyName("attention")]
    public IReadOnlyList<string> Attention { get; init; } = [Full, Full, Full];

    /// <summary>Self-attention kind of the mid block ("none", "full" or "mswa"). Defaults to "full".</summary>
    [JsonPropertyName("mid_block_attention")]
    public string MidBlockAttention { get; init; } = Full;

    /// <summary>
    /// MSWA-2D windows, one per head group (the heads are split evenly, smallest window first). A window w lets a token
    /// see the tokens with |Δy| &lt; w and |Δx| &lt; w; a w at least the feature map's side is full attention for those heads.
    /// </summary>
    [JsonPropertyName("mswa_windows")]
    public IReadOnlyList<int> MswaWindows { get; init; } = [2, 4, 8, 16];

    /// <summary>Use the PAT partial-conv ResBlock (FasterNet PConv + pointwise conv) instead of two 3x3 convs. Defaults to false.</summary>
    [JsonPropertyName("pat_resblocks")]
    public bool PatResBlocks { get; init; }

    /// <summary>Split divisor of the PAT ResBlock's partial conv (it sees C / n_div channels). Defaults to 4.</summary>
    [JsonPropertyName("pat_n_div")]
    public int PatNDiv { get; init; } = 4;

    /// <summary>Dropout inside the ResBlocks. Defaults to 0.</summary>
    [JsonPropertyName("dropout")]
    public double Dropout { get; init; }

    /// <summary>Cosines first in the sinusoidal timestep embedding (Stable Diffusion: true).</summary>
    [JsonPropertyName("flip_sin_to_cos")]
    public bool FlipSinToCos { get; init; } = true;

    /// <summary>Frequency shift of the sinusoidal timestep embedding (Stable Diffusion: 0).</summary>
    [JsonPropertyName("freq_shift")]
    public double FreqShift { get; init; }

    /// <summary>
    /// Zero-initialise the last conv of every ResBlock's residual branch and every transformer's proj_out, so each block
    /// starts as the identity (the original SD code does this; diffusers does not). Defaults to true: small models train better.
    /// </summary>
    [JsonPropertyName("zero_init_residuals")]
    public bool ZeroInitResiduals { get; init; } = true;

    /// <summary>What the model predicts: "epsilon" or "v_prediction" (stored for the pipeline and the scheduler).</summary>
    [JsonPropertyName("prediction_type")]
    public string PredictionType { get; init; } = "v_prediction";

    /// <summary>
    /// What else is added to the timestep embedding: null (nothing, Stable Diffusion 1.5) or "text" (the prompt's tokens
    /// attention-pooled, diffusers' <c>TextTimeEmbedding</c> as in DeepFloyd IF and Kandinsky), so that every ResBlock, at
    /// every resolution, sees the prompt.
    /// </summary>
    [JsonPropertyName("addition_embed_type")]
    public string? AdditionEmbedType { get; init; }

    /// <summary>Heads of the "text" addition embedding's attention pooling; must divide cross_attention_dim. Defaults to 64 (diffusers).</summary>
    [JsonPropertyName("addition_embed_type_num_heads")]
    public int AdditionEmbedTypeNumHeads { get; init; } = 64;

    /// <summary>The one <see cref="AdditionEmbedType"/> besides null.</summary>
    public const string TextAddition = "text";

    /// <summary>
    /// Where a transformer's tokens learn where they sit: "none" (Stable Diffusion: only the convolutions' zero padding
    /// tells absolute position) or "sincos" (a fixed 2D sine-cosine table, as in MAE and DiT, added to the tokens after
    /// proj_in through a learned per-channel gain; it starts at one, and at zero in a model grown from one trained without it).
    /// Prompts place objects ("at the left"); cross-attention binds such words to places only if the tokens know theirs.
    /// </summary>
    [JsonPropertyName("position_embedding")]
    public string PositionEmbedding { get; init; } = NoPositionEmbedding;

    /// <summary>No position embedding (<see cref="PositionEmbedding"/>).</summary>
    public const string NoPositionEmbedding = "none";

    /// <summary>The 2D sine-cosine position embedding (<see cref="PositionEmbedding"/>).</summary>
    public const string SinCosPositionEmbedding = "sincos";

    /// <summary>Width of the timestep embedding: 4 × the first level's width, as in Stable Diffusion.</summary>
    [JsonIgnore]
    public int TimeEmbedDim => 4 * BlockOutChannels[0];

    /// <summary>A test-size model: 2 levels of 32/64, 2 heads, context 32.</summary>
    public static UNetConfig Tiny { get; } = new()
    {
        InChannels = 4,
        OutChannels = 4,
        SampleSize = 8,
        BlockOutChannels = [32, 64],
        LayersPerBlock = 1,
        NormNumGroups = 8,
        CrossAttentionDim = 32,
        NumAttentionHeads = 2,
        Attention = [Full, Full],
        MswaWindows = [2, 8],
        PredictionType = "epsilon",
    };

    /// <summary>The bundled model (5.6M parameters): 16×16×4 latents of 64×64 images, context D = 128 (the CLIP text width), T = 48 tokens.</summary>
    /// <remarks>
    /// Widths 64/96/128, transformers at 8×8 and 4×4 and in the mid block, none at 16×16: the three 16×16 transformers
    /// cost more than the rest of the network together on one CPU thread (UNetBenchmark). Switch level 0 to "mswa" or
    /// "full", or turn on pat_resblocks, by config.
    /// </remarks>
    public static UNetConfig Small { get; } = new()
    {
        InChannels = 4,
        OutChannels = 4,
        SampleSize = 16,
        BlockOutChannels = [64, 96, 128],
        LayersPerBlock = 1,
        NormNumGroups = 32,
        CrossAttentionDim = 128,
        NumAttentionHeads = 4,
        Attention = [None, Full, Full],
        MidBlockAttention = Full,
        MswaWindows = [2, 4, 16, 16],
        PredictionType = "v_prediction",
    };

    /// <summary>Stable Diffusion 1.5's shape (860M parameters): 320/640/1280/1280, 8 heads, context 768, 64×64 latents. For validation and GPU use.</summary>
    public static UNetConfig StableDiffusion15Like { get; } = new()
    {
        InChannels = 4,
        OutChannels = 4,
        SampleSize = 64,
        BlockOutChannels = [320, 640, 1280, 1280],
        LayersPerBlock = 2,
        NormNumGroups = 32,
        CrossAttentionDim = 768,
        NumAttentionHeads = 8,
        Attention = [Full, Full, Full, None],
        MidBlockAttention = Full,
        MswaWindows = [8, 16, 32, 64],
        ZeroInitResiduals = false,
        PredictionType = "epsilon",
    };

    /// <inheritdoc/>
    public void Validate()
    {
        Positive(InChannels, "in_channels");
        Positive(OutChannels, "out_channels");
        Positive(SampleSize, "sample_size");
        Positive(LayersPerBlock, "layers_per_block");
        Positive(NormNumGroups, "norm_num_groups");
        Positive(CrossAttentionDim, "cross_attention_dim");
        Positive(NumAttentionHeads, "num_attention_heads");
        Positive(TransformerLayersPerBlock, "transformer_layers_per_block");
        if (BlockOutChannels is null || BlockOutChannels.Count == 0)
        {
            throw new ArgumentException("block_out_channels must list at least one level", nameof(BlockOutChannels));
        }

        for (var i = 0; i < BlockOutChannels.Count; i++)
        {
            var width = BlockOutChannels[i];
            if (width <= 0 || width % NormNumGroups != 0)
            {
                throw new ArgumentException($"block_out_channels[{i}] = {width} must be positive and divisible by norm_num_groups ({NormNumGroups})", nameof(BlockOutChannels));
            }

            if (width % NumAttentionHeads != 0)
            {
                throw new ArgumentException($"block_out_channels[{i}] = {width} must be divisible by num_attention_heads ({NumAttentionHeads})", nameof(BlockOutChannels));
            }

            if (PatResBlocks && width < 2 * PatNDiv)
            {
                throw new ArgumentException($"block_out_channels[{i}] = {width} is too narrow for a PAT ResBlock with pat_n_div {PatNDiv}", nameof(BlockOutChannels));
            }
        }

        if (Attention is null || Attention.Count != BlockOutChannels.Count)
        {
            throw new ArgumentException($"attention must give one kind per level ({BlockOutChannels.Count}), got {Attention?.Count ?? 0}", nameof(Attention));
        }

        for (var i = 0; i < Attention.Count; i++)
        {
            Kind(Attention[i], $"attention[{i}]");
        }

        Kind(MidBlockAttention, "mid_block_attention");
        if (Attention.Contains(Mswa) || MidBlockAttention == Mswa)
        {
            if (MswaWindows is null || MswaWindows.Count == 0 || MswaWindows.Any(w => w <= 0))
            {
                throw new ArgumentException($"mswa_windows must list positive windows, got [{string.Join(", ", MswaWindows ?? [])}]", nameof(MswaWindows));
            }

            if (NumAttentionHeads % MswaWindows.Count != 0)
            {
                throw new ArgumentException($"num_attention_heads ({NumAttentionHeads}) must be divisible by the {MswaWindows.Count} mswa_windows head groups", nameof(MswaWindows));
            }
        }

        if (PatResBlocks && PatNDiv < 2)
        {
            throw new ArgumentException($"pat_n_div must be at least 2, got {PatNDiv}", nameof(PatNDiv));
        }

        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout))
        {
            throw new ArgumentException($"dropout must be in [0, 1), got {Dropout}", nameof(Dropout));
        }

        if (NormEps is <= 0 || double.IsNaN(NormEps))
        {
            throw new ArgumentException($"norm_eps must be positive, got {NormEps}", nameof(NormEps));
        }

        if (PredictionType is not ("epsilon" or "v_prediction"))
        {
            throw new ArgumentException($"prediction_type must be \"epsilon\" or \"v_prediction\", got \"{PredictionType}\"", nameof(PredictionType));
        }

        if (AdditionEmbedType is not (null or TextAddition))
        {
            throw new ArgumentException($"addition_embed_type must be null or \"{TextAddition}\", got \"{AdditionEmbedType}\"", nameof(AdditionEmbedType));
        }

        if (AdditionEmbedType is TextAddition && (AdditionEmbedTypeNumHeads <= 0 || CrossAttentionDim % AdditionEmbedTypeNumHeads != 0))
        {
            throw new ArgumentException($"addition_embed_type_num_heads ({AdditionEmbedTypeNumHeads}) must be positive and divide cross_attention_dim ({CrossAttentionDim})", nameof(AdditionEmbedTypeNumHeads));
        }

        if (PositionEmbedding is not (NoPositionEmbedding or SinCosPositionEmbedding))
        {
            throw new ArgumentException($"position_embedding must be \"{NoPositionEmbedding}\" or \"{SinCosPositionEmbedding}\", got \"{PositionEmbedding}\"", nameof(PositionEmbedding));
        }

        if (PositionEmbedding == SinCosPositionEmbedding && BlockOutChannels.FirstOrDefault(w => w % 4 != 0) is var odd and not 0)
        {
            throw new ArgumentException($"position_embedding \"{SinCosPositionEmbedding}\" needs block_out_channels divisible by 4, got {odd}", nameof(PositionEmbedding));
        }

        var side = SampleSize;
        for (var i = 0; i < BlockOutChannels.Count - 1; i++)
        {
            if (side % 2 != 0)
            {
                throw new ArgumentException($"sample_size ({SampleSize}) must be divisible by 2^{BlockOutChannels.Count - 1} for {BlockOutChannels.Count} levels", nameof(SampleSize));
            }

            side /= 2;
        }
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be positive, got {value}"), name);
        }
    }

    private static void Kind(string? kind, string name)
    {
        if (kind is null || !AttentionKinds.Contains(kind))
        {
            throw new ArgumentException($"{name} must be one of {string.Join(", ", AttentionKinds)}, got \"{kind}\"", name);
        }
    }
}
