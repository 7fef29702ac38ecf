using MediaStudio.Language.Captioning;
using MediaStudio.Language.Generation;
using MediaStudio.Language.Llama;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Neural.Layers;
using static TorchSharp.torch;

namespace MediaStudio.Language.Tests;

[Collection(NativeTestGroup.Name)]
public sealed class LlamaTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lang-llama-" + Guid.NewGuid().ToString("N"));

    public LlamaTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Rope_KnownInput_MatchesClosedForm()
    {
        const int dim = 8;
        const double theta = 10000;
        using var rope = new RotaryEmbedding(dim, theta);
        var values = Enumerable.Range(0, 3 * dim).Select(i => (float)Math.Sin(i + 1)).ToArray();
        using var x = tensor(values, [3, dim]);
        using var positions = tensor(new long[] { 0, 1, 7 });

        using var y = rope.forward(x, positions);

        var actual = y.data<float>().ToArray();
        for (var t = 0; t < 3; t++)
        {
            var p = new[] { 0, 1, 7 }[t];
            for (var i = 0; i < dim / 2; i++)
            {
                var angle = p * Math.Pow(theta, -2.0 * i / dim);
                var (a, b) = (values[(t * dim) + i], values[(t * dim) + i + (dim / 2)]);
                Assert.Equal((a * Math.Cos(angle)) - (b * Math.Sin(angle)), actual[(t * dim) + i], 5);
                Assert.Equal((b * Math.Cos(angle)) + (a * Math.Sin(angle)), actual[(t * dim) + i + (dim / 2)], 5);
            }
        }
    }

    [Fact]
    public void LoadStrict_HuggingFaceLayoutCheckpoint_LoadsEveryTensor()
    {
        var config = TestModels.TinyLlama(vocab: 50, tied: false);
        var path = Path.Combine(_folder, "model.safetensors");
        var tensors = HuggingFaceKeys(config);
        SafeTensors.Save(path, tensors);
        using var lm = new LlamaForCausalLM(config);

        lm.LoadStrict(path);

        var state = lm.state_dict();
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), state.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, value) in tensors)
        {
            Assert.True(value.allclose(state[key], 0, 0), key);
        }
    }

    [Fact]
    public void LoadStrict_TiedEmbeddings_HasNoLmHeadKey()
    {
        using var lm = new LlamaForCausalLM(TestModels.TinyLlama(vocab: 50, tied: true));

        Assert.DoesNotContain("lm_head.weight", lm.state_dict().Keys);
        Assert.Contains("model.embed_tokens.weight", lm.state_dict().Keys);
    }

    [Theory]
    [InlineData("model.layers.1.mlp.up_proj.weight", "shape")]
    [InlineData("model.layers.0.self_attn.k_proj.weight", "missing")]
    public void LoadStrict_MismatchedCheckpoint_FailsNamingTheKey(string key, string fault)
    {
        var config = TestModels.TinyLlama(vocab: 50, tied: false);
        var tensors = HuggingFaceKeys(config);
        if (fault == "shape")
        {
            tensors[key] = randn(7, 3);
        }
        else
        {
            tensors.Remove(key);
        }

        var path = Path.Combine(_folder, "bad.safetensors");
        SafeTensors.Save(path, tensors);
        using var lm = new LlamaForCausalLM(config);

        var error = Assert.Throws<CheckpointException>(() => lm.LoadStrict(path));

        Assert.Equal(key, error.Key);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_CachedAndUncached_GiveTheSameTokens()
    {
        random.manual_seed(3);
        using var lm = LlamaForCausalLM.FromConfig(TestModels.TinyLlama(vocab: 60));
        using var prompt = randn(3, 5, 32);
        var options = new GenerationOptions { MaxNewTokens = 20 };

        var cached = TextGenerator.Generate(lm, prompt, options, [], 0, useCache: true, CancellationToken.None);
        var uncached = TextGenerator.Generate(lm, prompt, options, [], 0, useCache: false, CancellationToken.None);

        Assert.Equal(20, cached.Tokens[0].Count);
        for (var b = 0; b < 3; b++)
        {
            Assert.Equal(uncached.Tokens[b], cached.Tokens[b]);
        }
    }

    [Fact]
    public void Generate_Batched_EqualsOneRowAtATime()
    {
        random.manual_seed(4);
        using var lm = LlamaForCausalLM.FromConfig(TestModels.TinyLlama(vocab: 60));
        using var prompt = randn(3, 4, 32);
        var options = new GenerationOptions { MaxNewTokens = 12 };

        var batched = TextGenerator.Generate(lm, prompt, options, [7], 0, useCache: true, CancellationToken.None);

        for (var b = 0; b < 3; b++)
        {
            using var row = prompt.narrow(0, b, 1);
            var single = TextGenerator.Generate(lm, row, options, [7], 0, useCache: true, CancellationToken.None);
            Assert.Equal(single.Tokens[0], batched.Tokens[b]);
        }
    }

    [Fact]
    public void Generate_StopToken_EndsTheRowWithoutEmittingIt()
    {
        random.manual_seed(5);
        using var lm = LlamaForCausalLM.FromConfig(TestModels.TinyLlama(vocab: 60));
        using var prompt = randn(1, 4, 32);
        var free = TextGenerator.Generate(lm, prompt, new GenerationOptions { MaxNewTokens = 10 }, [], 0, true, CancellationToken.None).Tokens[0];
        var stop = free[3];

        var stopped = TextGenerator.Generate(lm, prompt, new GenerationOptions { MaxNewTokens = 10 }, [stop], 0, true, CancellationToken.None).Tokens[0];

        var firstStop = free.ToList().IndexOf(stop);
        Assert.Equal(free.Take(firstStop), stopped);
    }

    private static Dictionary<string, Tensor> HuggingFaceKeys(LlamaConfig c)
    {
        var (d, i, kv) = (c.HiddenSize, c.IntermediateSize, c.NumKeyValueHeads * c.HeadDim);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["model.embed_tokens.weight"] = randn(c.VocabSize, d),
            ["model.norm.weight"] = rand(d),
            ["lm_head.weight"] = randn(c.VocabSize, d),
        };
        for (var l = 0; l < c.NumHiddenLayers; l++)
        {
            var p = $"model.layers.{l}.";
            tensors[p + "self_attn.q_proj.weight"] = randn(d, d);
            tensors[p + "self_attn.k_proj.weight"] = randn(kv, d);
            tensors[p + "self_attn.v_proj.weight"] = randn(kv, d);
            tensors[p + "self_attn.o_proj.weight"] = randn(d, d);
            tensors[p + "mlp.gate_proj.weight"] = randn(i, d);
            tensors[p + "mlp.up_proj.weight"] = randn(i, d);
            tensors[p + "mlp.down_proj.weight"] = randn(d, i);
            tensors[p + "input_layernorm.weight"] = rand(d);
            tensors[p + "post_attention_layernorm.weight"] = rand(d);
        }

        return tensors;
    }
}
