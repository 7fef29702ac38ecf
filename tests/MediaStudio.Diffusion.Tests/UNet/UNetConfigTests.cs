using System.Text.Json;
using MediaStudio.Diffusion.UNet;

namespace MediaStudio.Diffusion.Tests.UNet;

public sealed class UNetConfigTests
{
    public static TheoryData<string, string> BadConfigs => new()
    {
        { "block_out_channels", """{"block_out_channels":[30,64],"norm_num_groups":8,"attention":["full","full"]}""" },
        { "num_attention_heads", """{"block_out_channels":[32,64],"norm_num_groups":8,"num_attention_heads":3,"attention":["full","full"]}""" },
        { "attention", """{"block_out_channels":[32,64],"norm_num_groups":8,"attention":["full"]}""" },
        { "attention[1]", """{"block_out_channels":[32,64],"norm_num_groups":8,"attention":["full","sparse"]}""" },
        { "mswa_windows", """{"block_out_channels":[32,64],"norm_num_groups":8,"num_attention_heads":4,"attention":["mswa","full"],"mswa_windows":[2,4,8]}""" },
        { "prediction_type", """{"block_out_channels":[32,64],"norm_num_groups":8,"attention":["full","full"],"prediction_type":"sample"}""" },
        { "sample_size", """{"block_out_channels":[32,64,64],"norm_num_groups":8,"attention":["full","full","none"],"sample_size":6}""" },
        { "layers_per_block", """{"block_out_channels":[32,64],"norm_num_groups":8,"attention":["full","full"],"layers_per_block":0}""" },
        { "pat_n_div", """{"block_out_channels":[32,64],"norm_num_groups":8,"attention":["full","full"],"pat_resblocks":true,"pat_n_div":1}""" },
        { "addition_embed_type", """{"block_out_channels":[32,64],"norm_num_groups":8,"attention":["full","full"],"addition_embed_type":"image"}""" },
        { "position_embedding", """{"block_out_channels":[32,64],"norm_num_groups":8,"attention":["full","full"],"position_embedding":"learned"}""" },
        { "position_embedding", """{"block_out_channels":[32,66],"norm_num_groups":2,"num_attention_heads":2,"attention":["full","full"],"position_embedding":"sincos"}""" },
        { "addition_embed_type_num_heads", """{"block_out_channels":[32,64],"norm_num_groups":8,"attention":["full","full"],"addition_embed_type":"text","addition_embed_type_num_heads":48}""" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Validate_BadValue_ThrowsNamingIt(string name, string json)
    {
        var config = JsonSerializer.Deserialize<UNetConfig>(json)!;

        var error = Assert.Throws<ArgumentException>(config.Validate);

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Presets_Validate()
    {
        UNetConfig.Tiny.Validate();
        UNetConfig.Small.Validate();
        UNetConfig.StableDiffusion15Like.Validate();
    }

    [Fact]
    public void Json_RoundTrip_KeepsSnakeCaseValues()
    {
        var json = JsonSerializer.Serialize(UNetConfig.Small with { Attention = ["mswa", "full", "none"], PatResBlocks = true });

        var back = JsonSerializer.Deserialize<UNetConfig>(json)!;

        Assert.Contains("\"block_out_channels\":[64,96,128]", json, StringComparison.Ordinal);
        Assert.Contains("\"prediction_type\":\"v_prediction\"", json, StringComparison.Ordinal);
        Assert.Equal(["mswa", "full", "none"], back.Attention);
        Assert.True(back.PatResBlocks);
        Assert.Equal(UNetConfig.Small.BlockOutChannels, back.BlockOutChannels);
    }
}
