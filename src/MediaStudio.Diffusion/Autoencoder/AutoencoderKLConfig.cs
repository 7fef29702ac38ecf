using System.Text.Json.Serialization;
using MediaStudio.Neural.Checkpoints;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>Configuration of the KL autoencoder, with diffusers' <c>AutoencoderKL</c> config names.</summary>
/// <remarks>
/// The encoder downsamples once per block except the last, so the downsample factor is f = 2^(blocks - 1);
/// three blocks give f = 4. <see cref="ScalingFactor"/> is 1 until training measures 1/std of the latent means.
/// </remarks>
public sealed record AutoencoderKLConfig : IModelConfig
{
    /// <summary>Gets the image channels read by the encoder. Defaults to 3 (RGB).</summary>
    [JsonPropertyName("in_channels")]
    public int InChannels { get; init; } = 3;

    /// <summary>Gets the image channels written by the decoder. Defaults to 3 (RGB).</summary>
    [JsonPropertyName("out_channels")]
    public int OutChannels { get; init; } = 3;

    /// <summary>Gets the width of each encoder block (the decoder mirrors them). Defaults to SD's [128, 256, 512, 512].</summary>
    [JsonPropertyName("block_out_channels")]
    public IReadOnlyList<int> BlockOutChannels { get; init; } = [128, 256, 512, 512];

    /// <summary>Gets the ResBlocks per encoder block; decoder blocks have one more. Defaults to 2.</summary>
    [JsonPropertyName("layers_per_block")]
    public int LayersPerBlock { get; init; } = 2;

    /// <summary>Gets the latent channels. Defaults to 4.</summary>
    [JsonPropertyName("latent_channels")]
    public int LatentChannels { get; init; } = 4;

    /// <summary>Gets the GroupNorm groups of every norm. Defaults to 32.</summary>
    [JsonPropertyName("norm_num_groups")]
    public int NormNumGroups { get; init; } = 32;

    /// <summary>Gets the side of the training images. Defaults to 64.</summary>
    [JsonPropertyName("sample_size")]
    public int SampleSize { get; init; } = 64;

    /// <summary>Gets a value indicating whether the mid blocks have self-attention between their ResBlocks. Defaults to true.</summary>
    [JsonPropertyName("mid_block_add_attention")]
    public bool MidBlockAddAttention { get; init; } = true;

    /// <summary>Gets the factor that brings latent means to unit variance (1 / std, measured after training). Defaults to 1.</summary>
    [JsonPropertyName("scaling_factor")]
    public double ScalingFactor { get; init; } = 1.0;

    /// <summary>Gets the spatial downsample factor f = 2^(blocks - 1).</summary>
    [JsonIgnore]
    public int DownsampleFactor => 1 << (BlockOutChannels.Count - 1);

    /// <summary>Gets the bundled 64x64 model's shape: widths [16, 32, 64], one ResBlock per encoder block, f = 4, 8 groups.</summary>
    [JsonIgnore]
    public static AutoencoderKLConfig Small => new()
    {
        BlockOutChannels = [16, 32, 64],
        LayersPerBlock = 1,
        NormNumGroups = 8,
        SampleSize = 64,
    };

    /// <summary>Gets a test-sized config: widths [8, 16, 16], f = 4, 4 groups, 16x16 images.</summary>
    [JsonIgnore]
    public static AutoencoderKLConfig Tiny => new()
    {
        BlockOutChannels = [8, 16, 16],
        LayersPerBlock = 1,
        NormNumGroups = 4,
        SampleSize = 16,
    };

    /// <inheritdoc />
    public void Validate()
    {
        Require(InChannels >= 1, $"in_channels must be >= 1, got {InChannels}", nameof(InChannels));
        Require(OutChannels >= 1, $"out_channels must be >= 1, got {OutChannels}", nameof(OutChannels));
        if (BlockOutChannels is not { Count: >= 1 and <= 6 })
        {
            throw new ArgumentException($"block_out_channels must have 1 to 6 entries, got {BlockOutChannels?.Count ?? 0}", nameof(BlockOutChannels));
        }

        Require(LayersPerBlock >= 1, $"layers_per_block must be >= 1, got {LayersPerBlock}", nameof(LayersPerBlock));
        Require(LatentChannels >= 1, $"latent_channels must be >= 1, got {LatentChannels}", nameof(LatentChannels));
        Require(NormNumGroups >= 1, $"norm_num_groups must be >= 1, got {NormNumGroups}", nameof(NormNumGroups));
        foreach (var width in BlockOutChannels)
        {
            Require(width >= 1 && width % NormNumGroups == 0,
                $"every block_out_channels entry must be a positive multiple of norm_num_groups ({NormNumGroups}), got {width}", nameof(BlockOutChannels));
        }

        Require(SampleSize >= DownsampleFactor && SampleSize % DownsampleFactor == 0,
            $"sample_size ({SampleSize}) must be a positive multiple of the downsample factor ({DownsampleFactor})", nameof(SampleSize));
        Require(double.IsFinite(ScalingFactor) && ScalingFactor > 0, $"scaling_factor must be finite and > 0, got {ScalingFactor}", nameof(ScalingFactor));
    }

    private static void Require(bool condition, string message, string name)
    {
        if (!condition)
        {
            throw new ArgumentException(message, name);
        }
    }
}
