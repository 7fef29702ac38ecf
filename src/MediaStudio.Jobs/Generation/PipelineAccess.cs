using MediaStudio.Diffusion.Negatives;
using MediaStudio.Diffusion.Pipelines;
using MediaStudio.Diffusion.Schedulers;
using MediaStudio.Jobs.Models;
using MediaStudio.Neural.Checkpoints;
using static TorchSharp.torch;

namespace MediaStudio.Jobs.Generation;

/// <summary>What the generation job kinds share: the bundled pipeline through the model registry, learned embeddings,
/// model versions and the translation of a job spec into a pipeline request.</summary>
internal sealed class PipelineAccess(ModelRegistry registry, string modelsRoot)
{
    private const string PipelineKey = "text-to-image";

    /// <summary>Gets the models folder.</summary>
    public string ModelsRoot { get; } = modelsRoot;

    /// <summary>Gets the folder of learned negative embeddings.</summary>
    public string NegativesRoot => Path.Combine(ModelsRoot, "negatives");

    /// <summary>Leases the pipeline, loading it on a worker thread the first time.</summary>
    public Task<ModelLease<TextToImagePipeline>> AcquireAsync(CancellationToken cancellationToken) =>
        registry.AcquireAsync(PipelineKey, token => Task.Run(() =>
        {
            var pipeline = TextToImagePipeline.Load(ModelsRoot);
            var bytes = new nn.Module[] { pipeline.UNet, pipeline.Clip, pipeline.Autoencoder }.Sum(m => m.parameters().Sum(p => p.numel() * p.element_size()));
            return new LoadedModel<TextToImagePipeline>(pipeline, bytes);
        }, token), cancellationToken);

    /// <summary>Validates a generation spec: JSON shape, its own field checks, and that a named embedding exists.</summary>
    /// <returns>One message per problem; empty when valid.</returns>
    public IReadOnlyList<string> Validate<TSpec>(string kind, string specJson, Func<string, TSpec> parse, Func<TSpec, IReadOnlyList<string>> validate, Func<TSpec, (string Mode, string? Name)> negative)
    {
        TSpec spec;
        try
        {
            spec = parse(specJson);
        }
        catch (System.Text.Json.JsonException e)
        {
            return [$"spec: not valid JSON for {kind} ({e.Message})"];
        }

        var problems = validate(spec).ToList();
        var (mode, name) = negative(spec);
        if (CheckEmbedding(mode, name) is { } missing)
        {
            problems.Add(missing);
        }

        return problems;
    }

    /// <summary>Names an unknown embedding in a spec, or returns null when the spec needs none or it exists.</summary>
    public string? CheckEmbedding(string negativeMode, string? name)
    {
        if (negativeMode != TextToImageSpec.NegativeFromEmbedding || string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var known = NegativeEmbedding.List(NegativesRoot).Select(c => c.Name).ToList();
        return known.Contains(name, StringComparer.Ordinal)
            ? null
            : $"negativeEmbedding: no learned embedding named '{name}'; known: {(known.Count == 0 ? "none" : string.Join(", ", known))}";
    }

    /// <summary>Loads the embedding a spec names, or null for the other negative modes.</summary>
    public NegativeEmbedding? LoadEmbedding(TextToImageSpec spec, Device device) =>
        spec.NegativeMode == TextToImageSpec.NegativeFromEmbedding ? NegativeEmbedding.Load(NegativesRoot, spec.NegativeEmbedding!, device) : null;

    /// <summary>The short SHA-256 of each model's weights (and of the text tower the UNet carries), for output metadata.</summary>
    public IReadOnlyDictionary<string, string> Versions()
    {
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in new[] { "autoencoder", "clip", "unet" })
        {
            if (Sha256Manifest.Read(Path.Combine(ModelsRoot, name)).TryGetValue(ModelFolder.WeightsFileName, out var sha))
            {
                versions[name] = sha[..12];
            }
        }

        // a UNet trained with the text tower carries it, and that tower, not clip/'s, conditions the image
        if (Sha256Manifest.Read(Path.Combine(ModelsRoot, "unet")).TryGetValue(TextToImagePipeline.TextEncoderFileName, out var text))
        {
            versions["text_encoder"] = text[..12];
        }

        return versions;
    }

    /// <summary>The pipeline request for a spec and a resolved seed.</summary>
    public static TextToImageRequest Request(TextToImageSpec spec, long seed, NegativeEmbedding? embedding) => new()
    {
        Prompt = spec.Prompt,
        Negative = spec.NegativeMode switch
        {
            TextToImageSpec.NegativeFromPrompt => NegativeKind.Prompt,
            TextToImageSpec.NegativeFromEmbedding => NegativeKind.Embedding,
            _ => NegativeKind.None,
        },
        NegativePrompt = spec.NegativePrompt,
        Embedding = embedding,
        Seed = seed,
        Steps = spec.Steps,
        Guidance = spec.Guidance,
        Sampler = SamplerKinds.Parse(spec.Sampler),
        Count = spec.Count,
        Width = spec.Width,
        Height = spec.Height,
    };
}
