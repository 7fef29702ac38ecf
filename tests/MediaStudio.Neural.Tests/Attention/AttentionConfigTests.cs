using System.Text.Json;
using MediaStudio.Neural.Attention;

namespace MediaStudio.Neural.Tests.Attention;

public sealed class AttentionConfigTests
{
    [Fact]
    public void Deserialize_SnakeCaseJson_ReadsEveryVariantSection()
    {
        const string json = """
            {
              "attention_type": "MultiScaleWindow",
              "hidden_size": 64, "num_attention_heads": 8, "num_key_value_heads": 2, "rope_theta": 500000,
              "window": { "form": "Temporal1D", "window_sizes": [4, 4, 8, 8, 16, 16, 32, 32], "block_size": 16 },
              "latent": { "q_lora_rank": 32, "kv_lora_rank": 16, "qk_nope_head_dim": 4, "qk_rope_head_dim": 4, "v_head_dim": 8, "path": "Absorbed" }
            }
            """;

        var config = JsonSerializer.Deserialize<AttentionConfig>(json)!.Validate();

        Assert.Equal(AttentionKind.MultiScaleWindow, config.Kind);
        Assert.Equal((2, 8), (config.KeyValueHeads, config.HeadSize));
        Assert.Equal(500000, config.RopeTheta);
        Assert.Equal(WindowForm.Temporal1D, config.Window!.Form);
        Assert.Equal(32, config.Window.Windows[^1]);
        Assert.Equal(LatentPath.Absorbed, config.Latent!.Path);
    }

    [Fact]
    public void Validate_WindowCountNotMatchingHeads_NamesTheSetting()
    {
        var config = new AttentionConfig
        {
            HiddenSize = 32,
            NumHeads = 4,
            Kind = AttentionKind.MultiScaleWindow,
            Window = new WindowAttentionConfig { Windows = [4, 8] },
        };

        var error = Assert.Throws<ArgumentException>(() => config.Validate());

        Assert.Contains("window_sizes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Local2DWithRope_IsRejected()
    {
        var config = new AttentionConfig
        {
            HiddenSize = 32,
            NumHeads = 4,
            Kind = AttentionKind.MultiScaleWindow,
            Window = new WindowAttentionConfig { Form = WindowForm.Local2D, Windows = [2, 2, 4, 4] },
        };

        Assert.Throws<ArgumentException>(() => config.Validate());
    }
}
