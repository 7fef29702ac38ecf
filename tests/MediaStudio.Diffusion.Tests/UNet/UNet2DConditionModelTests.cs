using System.Text.Json;
using MediaStudio.Diffusion.UNet;
using MediaStudio.Neural.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.UNet;

[Collection(NativeTestGroup.Name)]
public sealed class UNet2DConditionModelTests
{
    private const int Tokens = 5;

    [Theory]
    [InlineData(UNetConfig.None, false)]
    [InlineData(UNetConfig.Full, false)]
    [InlineData(UNetConfig.Mswa, false)]
    [InlineData(UNetConfig.None, true)]
    [InlineData(UNetConfig.Full, true)]
    [InlineData(UNetConfig.Mswa, true)]
    public void Forward_EachAttentionKindAndResBlock_KeepsSampleShape(string kind, bool pat)
    {
        manual_seed(1);
        var config = UNetConfig.Tiny with { Attention = [kind, kind], MidBlockAttention = kind, PatResBlocks = pat };
        using var model = new UNet2DConditionModel(config);
        using var scope = NewDisposeScope();
        var (sample, timesteps, context) = Batch(config, 2, 8, seed: 2);

        var output = model.forward(sample, timesteps, context);

        Assert.Equal([2L, 4, 8, 8], output.shape);
        Assert.False(output.isnan().any().item<bool>());
        Assert.DoesNotContain(model.parameters(), p => p.isnan().any().item<bool>() || p.abs().max().item<float>() > 1e3f);
    }

    [Fact]
    public void Forward_ZeroInitialisedTransformers_IgnoreContextUntilTrained()
    {
        manual_seed(3);
        using var model = new UNet2DConditionModel(UNetConfig.Tiny);
        using var scope = NewDisposeScope();
        var (sample, timesteps, context) = Batch(UNetConfig.Tiny, 2, 8, seed: 4);

        var a = model.forward(sample, timesteps, context);
        var b = model.forward(sample, timesteps, randn(context.shape));

        // proj_out starts at zero, so every transformer is the identity and the text cannot reach the output yet
        Assert.True(allclose(a, b));
    }

    [Fact]
    public void Forward_ChangedContextAfterPerturbation_ChangesOutput()
    {
        manual_seed(5);
        using var model = new UNet2DConditionModel(UNetConfig.Tiny);
        using var scope = NewDisposeScope();
        Perturb(model, 0.05);
        var (sample, timesteps, context) = Batch(UNetConfig.Tiny, 2, 8, seed: 6);

        var a = model.forward(sample, timesteps, context);
        var b = model.forward(sample, timesteps, randn(context.shape));
        var again = model.forward(sample, timesteps, context);

        Assert.True(allclose(a, again), "the same inputs give the same output");
        Assert.True((a - b).abs().max().item<float>() > 1e-4f, "the context reaches the output through cross-attention");
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(UNetConfig.TextAddition, true)]
    public void Forward_NoCrossAttention_ReadsThePromptOnlyThroughTheTextAddition(string? addition, bool readsPrompt)
    {
        manual_seed(7);
        var config = UNetConfig.Tiny with
        {
            Attention = [UNetConfig.None, UNetConfig.None],
            MidBlockAttention = UNetConfig.None,
            AdditionEmbedType = addition,
            AdditionEmbedTypeNumHeads = 8,
            ZeroInitResiduals = false,
        };
        using var model = new UNet2DConditionModel(config);
        using var scope = NewDisposeScope();
        var (sample, timesteps, context) = Batch(config, 2, 8, seed: 8);

        var change = (model.forward(sample, timesteps, context) - model.forward(sample, timesteps, randn(context.shape))).abs().max().item<float>();

        // with no transformer anywhere, the pooled prompt in the timestep embedding is the only way in
        Assert.Equal(readsPrompt, change > 1e-4f);
    }

    [Fact]
    public void Forward_Int64AndFloatTimesteps_Agree()
    {
        manual_seed(7);
        using var model = new UNet2DConditionModel(UNetConfig.Tiny);
        using var scope = NewDisposeScope();
        Perturb(model, 0.05);
        var (sample, _, context) = Batch(UNetConfig.Tiny, 2, 8, seed: 8);

        var fromLong = model.forward(sample, tensor(new long[] { 10, 900 }), context);
        var fromFloat = model.forward(sample, tensor(new float[] { 10, 900 }), context);
        var otherTime = model.forward(sample, tensor(new long[] { 500, 500 }), context);

        Assert.True(allclose(fromLong, fromFloat, rtol: 1e-5, atol: 1e-6));
        Assert.True((fromLong - otherTime).abs().max().item<float>() > 1e-4f, "the timestep reaches the output");
    }

    [Fact]
    public void Forward_MswaWindowsCoveringEveryLevel_EqualsFullAttentionModel()
    {
        manual_seed(14);
        var full = UNetConfig.Tiny;
        var mswa = UNetConfig.Tiny with { Attention = [UNetConfig.Mswa, UNetConfig.Mswa], MidBlockAttention = UNetConfig.Mswa, MswaWindows = [8, 64] };
        using var fullModel = new UNet2DConditionModel(full);
        using var mswaModel = new UNet2DConditionModel(mswa);
        using var scope = NewDisposeScope();
        Perturb(fullModel, 0.05);
        mswaModel.load_state_dict(fullModel.state_dict());
        var (sample, timesteps, context) = Batch(full, 2, 8, seed: 15);

        using var guard = no_grad();
        Assert.True(allclose(fullModel.forward(sample, timesteps, context), mswaModel.forward(sample, timesteps, context), rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Forward_WithoutOuterScope_LeavesOnlyItsOutputAlive()
    {
        manual_seed(16);
        using var model = new UNet2DConditionModel(UNetConfig.Tiny with { Attention = [UNetConfig.Mswa, UNetConfig.Full], MswaWindows = [2, 4], PatResBlocks = true });
        model.eval();
        var (sample, timesteps, context) = Batch(UNetConfig.Tiny, 2, 8, seed: 17);
        using var guard = no_grad();
        model.forward(sample, timesteps, context).Dispose();           // warm-up: lazily created state stays out of the count

        DisposeScopeManager.Statistics.Reset();
        var baseline = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var output = model.forward(sample, timesteps, context);
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount - baseline;
        output.Dispose();

        Assert.Equal(1, live);
        foreach (var t in new[] { sample, timesteps, context })
        {
            t.Dispose();
        }
    }

    [Fact]
    public void StateDict_Tiny_MatchesApprovedShapes()
    {
        using var model = new UNet2DConditionModel(UNetConfig.Tiny);

        Approval.Verify("unet-tiny", Approval.Describe(model));
    }

    [Fact]
    public void StateDict_TinyWithMswaAndPat_MatchesApprovedShapes()
    {
        using var model = new UNet2DConditionModel(UNetConfig.Tiny with { Attention = [UNetConfig.Mswa, UNetConfig.None], PatResBlocks = true });

        Approval.Verify("unet-tiny-mswa-pat", Approval.Describe(model));
    }

    [Fact]
    public void OptimizerStep_FixedBatch_LowersLoss()
    {
        manual_seed(9);
        using var model = new UNet2DConditionModel(UNetConfig.Tiny);
        model.train();
        using var scope = NewDisposeScope();
        var (sample, timesteps, context) = Batch(UNetConfig.Tiny, 4, 8, seed: 10);
        var target = randn(sample.shape, generator: new Generator(11));
        using var optimizer = optim.AdamW(model.parameters(), lr: 1e-3);

        var before = nn.functional.mse_loss(model.forward(sample, timesteps, context), target);
        optimizer.zero_grad();
        before.backward();
        optimizer.step();
        var after = nn.functional.mse_loss(model.forward(sample, timesteps, context), target);

        Assert.True(after.item<float>() < before.item<float>(), $"loss {before.item<float>()} -> {after.item<float>()}");
    }

    [Fact]
    public void FromPretrained_SavedFolder_GivesIdenticalOutput()
    {
        manual_seed(12);
        var config = UNetConfig.Tiny with { Attention = [UNetConfig.Mswa, UNetConfig.Full], PatResBlocks = true, AdditionEmbedType = UNetConfig.TextAddition, AdditionEmbedTypeNumHeads = 8 };
        using var model = new UNet2DConditionModel(config);
        model.eval();
        using var scope = NewDisposeScope();
        Perturb(model, 0.05);
        var (sample, timesteps, context) = Batch(config, 2, 8, seed: 13);
        var folder = Path.Combine(Path.GetTempPath(), "mediastudio-unet-" + Guid.NewGuid().ToString("N"));
        try
        {
            ModelFolder.Save(folder, model, config);
            using var loaded = UNet2DConditionModel.FromPretrained(folder);

            using var guard = no_grad();
            Assert.Equal(JsonSerializer.Serialize(config), JsonSerializer.Serialize(loaded.Config));
            Assert.Equal(0f, (model.forward(sample, timesteps, context) - loaded.forward(sample, timesteps, context)).abs().max().item<float>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ParameterCount_BuiltModels_MatchesAnalyticCount()
    {
        UNetConfig[] configs =
        [
            UNetConfig.Tiny,
            UNetConfig.Tiny with { PatResBlocks = true, Attention = [UNetConfig.None, UNetConfig.Mswa], LayersPerBlock = 2, TransformerLayersPerBlock = 2 },
            UNetConfig.Small,
            UNetConfig.Small with { PatResBlocks = true },
            UNetConfig.Small with { AdditionEmbedType = UNetConfig.TextAddition },
            UNetConfig.Small with { PositionEmbedding = UNetConfig.SinCosPositionEmbedding },
        ];
        foreach (var config in configs)
        {
            using var model = new UNet2DConditionModel(config);

            Assert.Equal(model.parameters().Sum(p => p.numel()), UNetParameterCount.Of(config));
        }
    }

    [Fact]
    public void StableDiffusion15Like_Validates_AndHasStableDiffusion15ParameterCount()
    {
        UNetConfig.StableDiffusion15Like.Validate();

        // diffusers' runwayml/stable-diffusion-v1-5 unet: 859,520,964 parameters
        Assert.Equal(859_520_964L, UNetParameterCount.Of(UNetConfig.StableDiffusion15Like));
    }

    [Fact]
    public void SinCos2D_MatchesClosedForm()
    {
        using var scope = NewDisposeScope();
        var table = Transformer2DModel.SinCos2D(3, 4, 8);   // (12, 8): row sin, row cos, column sin, column cos, 2 frequencies each
        const int row = 1, column = 2;
        var token = table[(row * 4) + column];
        var omega = new[] { 1.0, Math.Pow(10000, -0.5) };

        Assert.Equal([12L, 8], table.shape);
        for (var k = 0; k < 2; k++)
        {
            Assert.Equal(Math.Sin(row * omega[k]), token[k].item<float>(), 5);
            Assert.Equal(Math.Cos(row * omega[k]), token[2 + k].item<float>(), 5);
            Assert.Equal(Math.Sin(column * omega[k]), token[4 + k].item<float>(), 5);
            Assert.Equal(Math.Cos(column * omega[k]), token[6 + k].item<float>(), 5);
        }

        Assert.Throws<ArgumentException>(() => Transformer2DModel.SinCos2D(2, 2, 6));
    }

    [Fact]
    public void PositionEmbedding_GrownFromAModelWithout_StartsUnchanged_ThenTellsPlacesApart()
    {
        manual_seed(14);
        var plain = UNetConfig.Tiny with { AdditionEmbedType = UNetConfig.TextAddition, AdditionEmbedTypeNumHeads = 8 };
        var grownConfig = plain with { PositionEmbedding = UNetConfig.SinCosPositionEmbedding };
        using var model = new UNet2DConditionModel(plain);
        model.eval();
        using var scope = NewDisposeScope();
        Perturb(model, 0.05);
        var (sample, timesteps, context) = Batch(plain, 2, 8, seed: 15);
        var folder = Path.Combine(Path.GetTempPath(), "mediastudio-unet-" + Guid.NewGuid().ToString("N"));
        try
        {
            ModelFolder.Save(folder, model, plain);
            using var grown = new UNet2DConditionModel(grownConfig);
            grown.eval();

            Assert.Throws<CheckpointException>(() => ModelFolder.LoadWeights(folder, grown));
            Assert.Throws<InvalidOperationException>(() => model.LoadGrownWithPositionEmbedding(folder));
            grown.LoadGrownWithPositionEmbedding(folder);

            using var fresh = new UNet2DConditionModel(grownConfig);
            Assert.All(fresh.named_parameters().Where(p => p.name.EndsWith(".pos_embed_gain", StringComparison.Ordinal)), p => Assert.Equal(1f, p.parameter.min().item<float>()));

            using var guard = no_grad();
            var gains = grown.named_parameters().Where(p => p.name.EndsWith(".pos_embed_gain", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(gains);
            Assert.Equal(0f, (model.forward(sample, timesteps, context) - grown.forward(sample, timesteps, context)).abs().max().item<float>());

            foreach (var (_, gain) in gains)
            {
                gain.fill_(0.5);
            }

            Assert.True((model.forward(sample, timesteps, context) - grown.forward(sample, timesteps, context)).abs().max().item<float>() > 1e-4f);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (Tensor Sample, Tensor Timesteps, Tensor Context) Batch(UNetConfig config, int batch, int side, int seed)
    {
        var generator = new Generator((ulong)seed);
        var sample = randn([batch, config.InChannels, side, side], generator: generator);           // (B, C, h, w)
        var timesteps = randint(0, 1000, [batch], generator: generator);                          // (B) int64
        var context = randn([batch, Tokens, config.CrossAttentionDim], generator: generator);      // (B, T, Dc)
        return (sample, timesteps, context);
    }

    private static void Perturb(nn.Module model, double scale)
    {
        using var guard = no_grad();
        var generator = new Generator(99);
        foreach (var p in model.parameters())
        {
            p.add_(randn(p.shape, generator: generator) * scale);
        }
    }
}
