using MediaStudio.Language.Llama;
using MediaStudio.Media.Images;
using MediaStudio.Neural.Caching;
using MediaStudio.Neural.Runtime;
using MediaStudio.Synthetic.Recognition;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Language.Captioning;

/// <summary>The captioner: the recognizer as vision tower → projectors → image tokens, followed by text in a Llama decoder (LLaVA-style prefix).</summary>
/// <remarks>
/// Notation: B batch, F frames (1 for an image), s·s map cells, C the last stage's channels, R regions, D the decoder
/// width, L text tokens. Per frame the frozen recognizer gives its last PAT map m (C, s, s) and its head logits; the
/// frame becomes N = s·s + 1 + R tokens: s·s map tokens W₂·GELU(W₁·LN(m_ij)), one background token W_b·π_bg and one
/// token per region W_r·π_r, where π are the per-head softmax probabilities (background kind and colours; each
/// region's shape, colour, size, texture). A learned position p_n is added to token n, and for clips a learned
/// temporal embedding p_frame[f]. With a motion tower, a clip's first-frame region tokens also carry W_m·μ_r, where μ_r
/// are the frozen motion recognizer's per-part probabilities (direction, scale change, turn) for the object that starts
/// in region r: the token the decoder reads an object's attributes from also says how it moves. The prompt is, per
/// frame, [&lt;|image|&gt;, v₁ … v_N], then &lt;|bos|&gt; and the caption; the loss is next-token cross-entropy over the
/// caption and its &lt;|eos|&gt;. Keys: vision_tower.* (the recognizer's encoder, norm and head),
/// multi_modal_projector.*, background_proj.*, region_proj.*, image_pos_embed, frame_embed, motion_tower.*,
/// motion_proj.*, language_model.{model.*, lm_head.*}.
/// </remarks>
public sealed class CaptionerModel : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly SceneRecognizer vision_tower;
    private readonly Sequential multi_modal_projector;
    private readonly Linear background_proj;
    private readonly Linear region_proj;
    private readonly Parameter image_pos_embed;
    private readonly Parameter frame_embed;
    private readonly MotionRecognizer? motion_tower;
    private readonly Linear? motion_proj;
    private readonly LlamaForCausalLM language_model;

    public CaptionerModel(CaptionerConfig config) : base(nameof(CaptionerModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        var d = config.Text.HiddenSize;
        var channels = config.Vision.Backbone.StageWidth(config.Vision.Backbone.StageCount - 1);
        vision_tower = new SceneRecognizer(config.Vision);
        multi_modal_projector = nn.Sequential(("norm", nn.LayerNorm(channels)), ("linear_1", nn.Linear(channels, d)), ("act", nn.GELU()), ("linear_2", nn.Linear(d, d)));
        background_proj = nn.Linear(BackgroundLogits, d);
        region_proj = nn.Linear(RegionLogits, d);
        image_pos_embed = new Parameter(zeros(config.TokensPerFrame, d));
        frame_embed = new Parameter(zeros(config.ClipFrames, d));
        if (config.Motion is { } motion)
        {
            motion_tower = new MotionRecognizer(motion);
            motion_proj = nn.Linear(MotionRecognizer.LogitsPerRegion, d);
        }

        language_model = new LlamaForCausalLM(config.Text);
        RegisterComponents();
        foreach (var p in motion_tower?.parameters() ?? [])
        {
            p.requires_grad = false;                                                  // always frozen: trained on its own targets
        }

        if (config.FreezeVision)
        {
            foreach (var p in vision_tower.parameters())
            {
                p.requires_grad = false;
            }
        }
    }

    public CaptionerConfig Config { get; }

    /// <summary>Gets the decoder.</summary>
    public LlamaForCausalLM LanguageModel => language_model;

    /// <summary>Gets the vision tower.</summary>
    public SceneRecognizer VisionTower => vision_tower;

    // logits of the three background heads, and of the four heads of one region
    private static int BackgroundLogits => AttributeHeads.Heads.Take(3).Sum(h => h.Classes);

    private static int RegionLogits => AttributeHeads.Heads.Skip(3).Take(4).Sum(h => h.Classes);

    /// <summary>Gets the prompt length of a sample with <paramref name="frames"/> frames (image tokens and markers, then &lt;|bos|&gt;).</summary>
    public int PromptLength(int frames) => (frames * (Config.TokensPerFrame + 1)) + 1;

    /// <summary>Creates a captioner with the Llama initialisation for the decoder and small random image embeddings.</summary>
    public static CaptionerModel FromConfig(CaptionerConfig config, Generator? generator = null)
    {
        var model = new CaptionerModel(config);
        Neural.Layers.Init.TruncNormal(model, config.Text.InitializerRange, generator);
        using (no_grad())
        {
            var std = config.Text.InitializerRange;
            foreach (var p in new[] { model.image_pos_embed, model.frame_embed, model.language_model.Model.EmbeddingWeight })
            {
                Neural.Layers.Init.TruncatedNormal(p, 0, std, -2 * std, 2 * std, generator);
            }
        }

        return model;
    }

    /// <summary>Copies a trained recognizer's weights (its whole state dict) into the vision tower, strictly.</summary>
    public void LoadVisionTower(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        Neural.Checkpoints.StateDict.LoadStrict(vision_tower, tensors, source);
    }

    /// <summary>Copies a trained motion recognizer's weights (its whole state dict) into the motion tower, strictly.</summary>
    /// <exception cref="InvalidOperationException">The config has no motion tower.</exception>
    public void LoadMotionTower(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        var tower = motion_tower ?? throw new InvalidOperationException("this captioner has no motion tower (motion_config is null)");
        Neural.Checkpoints.StateDict.LoadStrict(tower, tensors, source);
    }

    /// <summary>Keeps a frozen vision tower in eval mode (its BatchNorm statistics are the recognizer's) whatever the rest does.</summary>
    public override void train(bool train = true)
    {
        base.train(train);
        if (Config.FreezeVision)
        {
            vision_tower.eval();
        }

        motion_tower?.eval();
    }

    /// <summary>Encodes frames into the prompt embeddings: per frame [&lt;|image|&gt;, N image tokens], then &lt;|bos|&gt;.</summary>
    /// <param name="pixels">The frames the image tokens come from.</param>
    /// <param name="imageId">The image marker's token id.</param>
    /// <param name="bosId">The begin-of-text token id.</param>
    /// <param name="motionPixels">For a clip whose motion tower samples its own frame count
    /// (<see cref="CaptionerConfig.MotionReadsOwnFrames"/>), the frames it reads; otherwise null, and the tower reads <paramref name="pixels"/>.</param>
    // pixels (B, F, 3, S, S) in [-1, 1], motionPixels (B, F_m, 3, S, S) or null, imageId / bosId token ids -> (B, F·(N+1)+1, D)
    public Tensor Prompt(Tensor pixels, int imageId, int bosId, Tensor? motionPixels = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        using var scope = NewDisposeScope();
        var (b, f) = (pixels.shape[0], pixels.shape[1]);
        var flat = pixels.flatten(0, 1);                                             // (B·F, 3, S, S)
        Tensor map, probs;
        using (Config.FreezeVision ? no_grad() : null)
        {
            var (m, logits) = vision_tower.Read(flat);                               // (B·F, C, s, s), (B·F, Λ)
            map = m;
            var offset = 0;
            var perHead = new List<Tensor>();
            foreach (var (_, classes) in AttributeHeads.Heads)
            {
                perHead.Add(logits.narrow(1, offset, classes).softmax(1));
                offset += classes;
            }

            probs = cat(perHead, 1);                                                 // (B·F, Λ) per-head probabilities
        }

        var bf = flat.shape[0];
        var mapTokens = multi_modal_projector.forward(map.flatten(2).transpose(1, 2)); // (B·F, s·s, D)
        var background = background_proj.forward(probs.narrow(1, 0, BackgroundLogits)).unsqueeze(1); // (B·F, 1, D)
        var regions = region_proj.forward(probs.narrow(1, BackgroundLogits, CaptionerConfig.RegionCount * RegionLogits)
            .view(bf, CaptionerConfig.RegionCount, RegionLogits));                   // (B·F, R, D)
        if (f > 1 && motion_tower is not null)
        {
            var towerInput = motionPixels ?? pixels;
            if (towerInput.shape[1] != motion_tower.Config.Frames || towerInput.shape[0] != b)
            {
                throw new ArgumentException(
                    $"the motion tower reads clips of {motion_tower.Config.Frames} frames, got {towerInput.shape[1]} for {towerInput.shape[0]} clip(s) of {b}",
                    motionPixels is null ? nameof(pixels) : nameof(motionPixels));
            }

            Tensor motion;
            using (no_grad())
            {
                motion = motion_tower.Probabilities(towerInput);                     // (B, R, 4·3)
            }

            var first = motion_proj!.forward(motion).unsqueeze(1);                   // (B, 1, R, D): the objects that start in each region
            var later = zeros([b, f - 1, first.shape[2], first.shape[3]], device: pixels.device);
            regions = regions + cat([first, later], 1).view(bf, first.shape[2], first.shape[3]);
        }

        var v = cat([mapTokens, background, regions], 1) + image_pos_embed;         // (B·F, N, D)
        var d = v.shape[2];
        v = v.view(b, f, Config.TokensPerFrame, d);                                  // (B, F, N, D)
        if (f > 1)
        {
            v = v + frame_embed.narrow(0, 0, f).view(1, f, 1, d);                    // temporal position
        }

        var marker = language_model.Embed(full([b, f, 1], imageId, ScalarType.Int64, device: pixels.device)); // (B, F, 1, D)
        var frames = cat([marker, v], 2).view(b, f * (Config.TokensPerFrame + 1), d); // (B, F·(N+1), D)
        var bos = language_model.Embed(full([b, 1], bosId, ScalarType.Int64, device: pixels.device)); // (B, 1, D)
        return cat([frames, bos], 1).MoveToOuterDisposeScope();
    }

    /// <summary>Teacher-forced logits over the caption positions.</summary>
    // prompt (B, P, D) from Prompt, text (B, L) int64 (caption, eos, padding; no bos) -> logits (B, L, V): row j predicts text[j]
    public override Tensor forward(Tensor prompt, Tensor text)
    {
        using var scope = NewDisposeScope();
        var p = prompt.shape[1];
        var l = text.shape[1];
        var embeds = cat([prompt, language_model.Embed(text.narrow(1, 0, l - 1))], 1); // (B, P+L-1, D)
        var logits = language_model.forward(embeds, null);                              // (B, P+L-1, V)
        return logits.narrow(1, p - 1, l).MoveToOuterDisposeScope();                    // (B, L, V)
    }

    /// <summary>Runs the decoder on embeddings with a cache (generation).</summary>
    // (B, T, D) -> (B, T, V)
    public Tensor Decode(Tensor embeds, FullKvCache cache) => language_model.forward(embeds, cache);

    /// <summary>Stacks samples of one frame count each into a normalised batch (B, F, 3, S, S) in [-1, 1] (see <see cref="ToPixels"/>).</summary>
    /// <exception cref="ArgumentException">The samples' frame counts differ.</exception>
    public static Tensor ToClipPixels(IReadOnlyList<IReadOnlyList<RgbImage>> samples, int size)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var frames = samples.Count == 0 ? 0 : samples[0].Count;
        if (samples.Count == 0 || frames == 0 || samples.Any(s => s.Count != frames))
        {
            throw new ArgumentException("every sample of one batch needs the same, non-zero number of frames", nameof(samples));
        }

        using var scope = NewDisposeScope();
        return ToPixels([.. samples.SelectMany(s => s)], size).view(samples.Count, frames, 3, size, size).MoveToOuterDisposeScope();
    }

    /// <summary>Converts RGB images of any size to a normalised batch (B, 3, S, S) in [-1, 1]; larger images are area-averaged, smaller ones bilinearly enlarged.</summary>
    public static Tensor ToPixels(IReadOnlyList<RgbImage> images, int size)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = NewDisposeScope();
        var batch = new List<Tensor>(images.Count);
        foreach (var image in images)
        {
            var hwc = tensor(image.Pixels, [image.Height, image.Width, 3]);
            var x = hwc.permute(2, 0, 1).unsqueeze(0).to_type(ScalarType.Float32);  // (1, 3, H, W)
            if (image.Width != size || image.Height != size)
            {
                x = image.Width >= size && image.Height >= size
                    ? nn.functional.adaptive_avg_pool2d(x, [size, size])
                    : nn.functional.interpolate(x, [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
            }

            batch.Add(x);
        }

        return PixelTensors.ToUnitRange(cat(batch, 0)).MoveToOuterDisposeScope();           // (B, 3, S, S)
    }
}
