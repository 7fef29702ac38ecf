using MediaStudio.Media.Images;
using MediaStudio.Neural.Pat;
using MediaStudio.Synthetic.Rendering;
using MediaStudio.Synthetic.Scenes;
using MediaStudio.Synthetic.World;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Synthetic.Recognition;

/// <summary>A multi-head attribute classifier on the PAT backbone: reads the background and each region's object.</summary>
/// <remarks>
/// The last stage's map (B, C, s, s) keeps where things are, so the head reads it flattened together with the
/// pooled feature: logits = head(LayerNorm([flatten(map); pool(map)])). Logits are split per head by <see cref="AttributeHeads"/>.
/// </remarks>
public sealed class SceneRecognizer : nn.Module<Tensor, Tensor>
{
    private readonly PatEncoder encoder;
    private readonly LayerNorm norm;
    private readonly Linear head;

    public SceneRecognizer(RecognizerConfig config) : base(nameof(SceneRecognizer))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        encoder = new PatEncoder(config.Backbone);
        var channels = config.Backbone.StageWidth(config.Backbone.StageCount - 1);
        var side = config.FinalMapSide;
        var readout = (channels * side * side) + config.Backbone.PooledDim;

        // the last stage's output is unnormalised (BatchNorm sits inside the blocks); a LayerNorm keeps the logits' scale sane
        norm = nn.LayerNorm(readout);
        head = nn.Linear(readout, AttributeHeads.TotalLogits);
        RegisterComponents();
    }

    public RecognizerConfig Config { get; }

    /// <summary>Creates a recognizer with the PAT initialisation.</summary>
    public static SceneRecognizer FromConfig(RecognizerConfig config, Generator? generator = null)
    {
        var model = new SceneRecognizer(config);
        Neural.Layers.Init.TruncNormal(model, generator: generator);
        return model;
    }

    // (B, 3, S, S) in [-1, 1] -> (B, L) logits of every head, concatenated
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (_, logits) = Read(x);
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>Returns the last stage's feature map together with the logits, for models that build on what the recognizer sees.</summary>
    // (B, 3, S, S) in [-1, 1] -> map (B, C, s, s), logits (B, L)
    public (Tensor Map, Tensor Logits) Read(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var features = encoder.Encode(x, includeFeatureMaps: true);
        var map = features.FeatureMaps[^1];                            // (B, C, s, s)
        var readout = cat([map.flatten(1), features.Pooled], dim: 1); // (B, C*s*s + F)
        var logits = head.forward(norm.forward(readout));              // (B, L)
        return (map.clone().MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope());
    }

    /// <summary>Returns the summed cross-entropy over all heads (absent objects' attributes ignored).</summary>
    // logits (B, L), targets (B, H) -> scalar
    public static Tensor Loss(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        using var scope = NewDisposeScope();
        Tensor? total = null;
        var offset = 0;
        for (var h = 0; h < AttributeHeads.Heads.Count; h++)
        {
            var classes = AttributeHeads.Heads[h].Classes;
            var target = targets.select(1, h);                                           // (B)
            var valid = target.ne(AttributeHeads.Ignore).sum().item<long>();
            if (valid > 0)
            {
                var loss = nn.functional.cross_entropy(
                    logits.narrow(1, offset, classes), target, ignore_index: AttributeHeads.Ignore); // ()
                total = total is null ? loss : total + loss;
            }

            offset += classes;
        }

        return (total ?? zeros(1).sum()).MoveToOuterDisposeScope();
    }

    /// <summary>Converts RGB images of the configured size to a normalised batch (B, 3, S, S) in [-1, 1].</summary>
    public static Tensor ToBatch(IReadOnlyList<RgbImage> images, int size)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.FirstOrDefault(i => i.Width != size || i.Height != size) is { } wrong)
        {
            throw new ArgumentException($"the recognizer reads {size}x{size} images, got {wrong.Width}x{wrong.Height}", nameof(images));
        }

        return images.Count == 0 ? zeros(0, 3, size, size) : RgbBatch.FromImages(images); // the size is known, so no images is an empty batch
    }

    /// <summary>Reads each image's scene: the most likely class of every head, decoded to a label.</summary>
    public IReadOnlyList<SceneLabel> Recognize(IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            return []; // libtorch runs an empty batch, but TorchSharp cannot copy an empty result out
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        eval();
        var logits = forward(ToBatch(images, Config.ImageSize)); // (B, L)
        var results = new List<SceneLabel>();
        var perHead = new List<long[]>();
        var offset = 0;
        foreach (var (_, classes) in AttributeHeads.Heads)
        {
            perHead.Add(logits.narrow(1, offset, classes).argmax(1).data<long>().ToArray()); // (B)
            offset += classes;
        }

        // where the two background colours' order does not show (noise), read them as a pair: the two most likely
        // colours of both colour heads together, since either head may put its mass on either colour
        var colours = AttributeHeads.Heads[1].Classes;
        var first = logits.narrow(1, AttributeHeads.Heads[0].Classes, colours).softmax(1);                        // (B, C)
        var second = logits.narrow(1, AttributeHeads.Heads[0].Classes + colours, colours + 1).softmax(1);         // (B, C + 1)
        var pair = (first + second.narrow(1, 0, colours)).topk(2, 1).indexes.data<long>().ToArray();              // (B, 2)
        for (var b = 0; b < images.Count; b++)
        {
            var classes = perHead.Select(p => (int)p[b]).ToArray();
            if (!BackgroundSpec.OrderVisible((BackgroundKind)classes[0]))
            {
                (classes[1], classes[2]) = ((int)pair[2 * b], (int)pair[(2 * b) + 1]);
            }

            results.Add(AttributeHeads.Decode(classes));
        }

        return results;
    }
}
