using System.Text.Json;
using MediaStudio.Neural.Pat;
using static TorchSharp.torch;

namespace MediaStudio.Neural.Tests.Pat;

[Collection(NativeTestGroup.Name)]
public sealed class PatEncoderTests
{
    [Fact]
    public void Encode_WithFeatureMaps_ReturnsPooledFeatureAndEveryStage()
    {
        using var scope = NewDisposeScope();
        var config = PatNetConfig.Tiny;
        using var encoder = PatEncoder.FromConfig(config, new Generator(1));
        encoder.eval();

        using var output = encoder.Encode(randn(2, 3, 16, 16, generator: new Generator(2)), includeFeatureMaps: true);

        TensorAssert.Shape(output.Pooled, 2, config.FeatureDim);
        Assert.Equal(4, output.FeatureMaps.Count);
        TensorAssert.Shape(output.FeatureMaps[0], 2, 8, 8, 8);
        TensorAssert.Shape(output.FeatureMaps[1], 2, 16, 4, 4);
        TensorAssert.Shape(output.FeatureMaps[2], 2, 32, 2, 2);
        TensorAssert.Shape(output.FeatureMaps[3], 2, 64, 1, 1); // PAT_sf on a 1x1 map
        TensorAssert.Finite(output.Pooled, "pooled");
    }

    [Fact]
    public void Forward_WithoutFeatureMaps_ReturnsOnlyPooled()
    {
        using var scope = NewDisposeScope();
        var config = PatNetConfig.Tiny with { FeatureDim = 0, Depths = [1, 2] };
        using var encoder = PatEncoder.FromConfig(config);

        using var output = encoder.forward(randn(3, 3, 12, 12));

        TensorAssert.Shape(output.Pooled, 3, 16);
        Assert.Empty(output.FeatureMaps);
    }

    [Fact]
    public void Classifier_Backward_ReachesEveryParameter()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        // default init: under the paper's std-0.02 init the zero bias table's gradient is ~1e-10 at this depth
        using var model = new PatClassifier(PatNetConfig.Tiny with { AttentionDropout = 0, DropPathRate = 0.1 });
        var x = randn(4, 3, 32, 32); // last stage 2x2: on a 1x1 map the single-key softmax gives the bias table no gradient
        var labels = tensor(new long[] { 0, 1, 2, 3 });

        var logits = model.forward(x);
        nn.functional.cross_entropy(logits, labels).backward();

        TensorAssert.Shape(logits, 4, 5);
        // a norm bias whose output feeds conv + BatchNorm (the next patch merging) is removed by that BN: its gradient is exactly 0
        TensorAssert.GradientsFlow(model, name => name.EndsWith("norm.bias", StringComparison.Ordinal));
    }

    [Fact]
    public void Classifier_WidthAndDepth_ScaleParameterCount()
    {
        using var narrow = new PatClassifier(PatNetConfig.Tiny);
        using var wide = new PatClassifier(PatNetConfig.Tiny with { EmbedDim = 16 });
        using var deep = new PatClassifier(PatNetConfig.Tiny with { Depths = [1, 1, 3, 1] });

        static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

        Assert.True(Count(wide) > 2 * Count(narrow));
        Assert.True(Count(deep) > Count(narrow));
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(true, true, false)]
    [InlineData(true, true, true)]
    public void FromConfig_AfterMemoryIsDirtied_HasSaneParameters(bool channel, bool spatial, bool self)
    {
        TensorAssert.DirtyMemory();

        using var model = PatClassifier.FromConfig(PatNetConfig.Tiny with
        {
            ChannelAttention = channel,
            SpatialAttention = spatial,
            SelfAttention = self,
        });

        TensorAssert.SaneParameters(model);
    }

    [Fact]
    public void Validate_HeadsNotDividingUntouchedChannels_NamesBothValues()
    {
        var config = PatNetConfig.Tiny with { AttentionHeads = 5 };

        var error = Assert.Throws<ArgumentException>(config.Validate);

        Assert.Contains("attention_heads (5)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownActivation_NamesIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new PatEncoder(PatNetConfig.Tiny with { Activation = "swish" }));

        Assert.Contains("\"swish\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_JsonRoundTrip_UsesSnakeCaseAndKeepsValues()
    {
        var config = PatNetConfig.T2;

        var json = JsonSerializer.Serialize(config);
        var back = JsonSerializer.Deserialize<PatNetConfig>(json)!;

        Assert.Contains("\"embed_dim\":64", json, StringComparison.Ordinal);
        Assert.Contains("\"drop_path_rate\":0.05", json, StringComparison.Ordinal);
        Assert.Equal(config.Depths, back.Depths);
        Assert.Equal(config with { Depths = back.Depths }, back);
    }
}
