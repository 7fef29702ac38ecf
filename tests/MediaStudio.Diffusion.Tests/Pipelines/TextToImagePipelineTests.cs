using MediaStudio.Diffusion.Negatives;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Schedulers;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Pipelines;

[Collection(NativeTestGroup.Name)]
public sealed class TextToImagePipelineTests
{
    [Theory]
    [InlineData(SamplerKind.Ddim)]
    [InlineData(SamplerKind.DpmSolverPlusPlus2M)]
    [InlineData(SamplerKind.EulerAncestral)]
    [InlineData(SamplerKind.Ddpm)]
    public void Generate_SameSeedTwice_GivesIdenticalImages(SamplerKind sampler)
    {
        using var pipeline = TinyPipeline.Create();
        var request = TinyPipeline.Request() with { Sampler = sampler };

        var first = pipeline.Generate(request, cancellationToken: TestContext.Current.CancellationToken);
        var second = pipeline.Generate(request, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(first[0].Pixels, second[0].Pixels);
    }

    [Fact]
    public void Generate_CountThree_EqualsThreeSingleImagesFromConsecutiveSeeds()
    {
        using var pipeline = TinyPipeline.Create();
        var request = TinyPipeline.Request() with { Count = 3 };

        var batch = pipeline.Generate(request, cancellationToken: TestContext.Current.CancellationToken);
        var third = pipeline.Generate(request with { Seed = request.Seed + 2, Count = 1 }, cancellationToken: TestContext.Current.CancellationToken);

        // batched and single forwards may round the last float bit differently; a pixel may move by one level
        Assert.Equal(3, batch.Count);
        Assert.True(third[0].Pixels.Zip(batch[2].Pixels).Max(p => Math.Abs(p.First - p.Second)) <= 2, "image 3 of the batch is the seed+2 image");
        Assert.NotEqual(batch[0].Pixels, batch[1].Pixels);
    }

    [Fact]
    public void Generate_ReportsEveryStepAndStopsWhenCancelled()
    {
        using var pipeline = TinyPipeline.Create();
        var steps = new List<int>();
        pipeline.Generate(TinyPipeline.Request(), s => steps.Add(s.Step), cancellationToken: TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource();

        Assert.Equal([1, 2, 3, 4], steps);
        Assert.Throws<OperationCanceledException>(() => pipeline.Generate(TinyPipeline.Request(), s =>
        {
            Assert.Equal(TinyPipeline.ImageSize, s.Preview().Width);
            cancel.Cancel();
        }, cancel.Token));
    }

    [Fact]
    public void UnconditionalContext_EachKind_GivesItsOwnStatesAndImage()
    {
        using var pipeline = TinyPipeline.Create();
        var states = pipeline.EmptyPromptStates;
        using var learned = new NegativeEmbedding(randn(states.shape) * 0.5, Card(states));
        var none = TinyPipeline.Request();
        var prompt = none with { Negative = NegativeKind.Prompt, NegativePrompt = "a blurry, grainy picture" };
        var embedding = none with { Negative = NegativeKind.Embedding, Embedding = learned };

        using var emptyContext = pipeline.UnconditionalContext(none);
        using var promptContext = pipeline.UnconditionalContext(prompt);
        using var embeddingContext = pipeline.UnconditionalContext(embedding);

        Assert.True(emptyContext.squeeze(0).eq(states).all().item<bool>());
        Assert.True(promptContext.squeeze(0).eq(pipeline.EncodePrompts(["a blurry, grainy picture"]).squeeze(0)).all().item<bool>());
        Assert.True(embeddingContext.squeeze(0).eq(learned.States).all().item<bool>());
        var images = new[] { none, prompt, embedding }.Select(r => pipeline.Generate(r, cancellationToken: TestContext.Current.CancellationToken)[0].Pixels).ToList();
        Assert.NotEqual(images[0], images[1]);
        Assert.NotEqual(images[0], images[2]);
    }

    [Fact]
    public void Generate_GuidanceOne_IgnoresTheNegativeInput()
    {
        using var pipeline = TinyPipeline.Create();
        var plain = TinyPipeline.Request() with { Guidance = 1 };
        var negative = plain with { Negative = NegativeKind.Prompt, NegativePrompt = "a blurry picture" };

        Assert.Equal(pipeline.Generate(plain, cancellationToken: TestContext.Current.CancellationToken)[0].Pixels, pipeline.Generate(negative, cancellationToken: TestContext.Current.CancellationToken)[0].Pixels);
    }

    [Fact]
    public void UnconditionalContext_WrongShapeEmbedding_IsRejectedWithBothShapes()
    {
        using var pipeline = TinyPipeline.Create();
        var (tokens, width) = (pipeline.EmptyPromptStates.shape[0], pipeline.EmptyPromptStates.shape[1]);
        using var wrong = new NegativeEmbedding(zeros(tokens + 3, width), Card(zeros(tokens + 3, width)));

        var error = Assert.Throws<ArgumentException>(() => pipeline.Generate(TinyPipeline.Request() with { Negative = NegativeKind.Embedding, Embedding = wrong }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains($"({tokens + 3}, {width})", error.Message, StringComparison.Ordinal);
        Assert.Contains($"({tokens}, {width})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnconditionalContext_EmbeddingOfAnotherTextEncoder_IsRejectedWithTheFix()
    {
        var root = Directory.CreateTempSubdirectory("stale-negative-").FullName;
        try
        {
            using (var built = TinyPipeline.Create())
            {
                built.Save(root);
            }

            using var pipeline = TextToImagePipeline.Load(root, CPU);
            var states = pipeline.EmptyPromptStates;
            using var stale = new NegativeEmbedding(states.clone(), Card(states) with { TextEncoderSha256 = new string('0', 64) });
            using var current = new NegativeEmbedding(states.clone(), Card(states) with { TextEncoderSha256 = TextToImagePipeline.TextEncoderSha256(root) });
            var request = TinyPipeline.Request() with { Negative = NegativeKind.Embedding };

            var error = Assert.Throws<ArgumentException>(() => pipeline.UnconditionalContext(request with { Embedding = stale }).Dispose());
            using var shortHash = new NegativeEmbedding(states.clone(), Card(states) with { TextEncoderSha256 = "abc" });
            var shortError = Assert.Throws<ArgumentException>(() => pipeline.UnconditionalContext(request with { Embedding = shortHash }).Dispose());
            using var context = pipeline.UnconditionalContext(request with { Embedding = current });

            Assert.NotNull(pipeline.TextEncoderHash);
            Assert.Contains("000000000000", error.Message, StringComparison.Ordinal);
            Assert.Contains(pipeline.TextEncoderHash[..12], error.Message, StringComparison.Ordinal);
            Assert.Contains("mediastudio train negative-embedding --name test", error.Message, StringComparison.Ordinal);
            Assert.Contains("text encoder abc…", shortError.Message, StringComparison.Ordinal);
            Assert.True(context.squeeze(0).allclose(states));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Generate_HugePrompt_IsTruncatedNotRefused()
    {
        using var pipeline = TinyPipeline.Create();
        var huge = string.Concat(Enumerable.Repeat("a red circle and ", 6000)); // ~100 kB

        var image = pipeline.Generate(TinyPipeline.Request(huge), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(TinyPipeline.ImageSize, image[0].Width);
    }

    [Theory]
    [InlineData(0, 32)]
    [InlineData(30, 32)]
    [InlineData(32, 31)]
    public void Generate_BadSize_IsRejected(int width, int height)
    {
        using var pipeline = TinyPipeline.Create();

        Assert.Throws<ArgumentException>(() => pipeline.Generate(TinyPipeline.Request() with { Width = width, Height = height }, cancellationToken: TestContext.Current.CancellationToken));
    }

    internal static NegativeEmbeddingCard Card(Tensor states) => new()
    {
        Name = "test",
        Tokens = (int)states.shape[0],
        Width = (int)states.shape[1],
    };
}
