using System.Text.Json.Serialization;
using MediaStudio.Language.Llama;
using MediaStudio.Neural.Checkpoints;
using MediaStudio.Synthetic.Captions;
using MediaStudio.Synthetic.Clips;
using MediaStudio.Synthetic.Recognition;

namespace MediaStudio.Language.Captioning;

/// <summary>Configuration of the captioner: the PAT vision tower, the projector to image tokens, clip frames and the Llama decoder.</summary>
public sealed record CaptionerConfig : IModelConfig
{
    /// <summary>Gets the size name ("student" or "teacher"); informational.</summary>
    [JsonPropertyName("size")]
    public string Size { get; init; } = "student";

    /// <summary>Gets the vision tower: the bundled scene recognizer (PAT backbone and attribute heads); its last stage's map and its per-head probabilities become the image tokens.</summary>
    [JsonPropertyName("vision_config")]
    public RecognizerConfig Vision { get; init; } = new();

    /// <summary>Gets whether the vision tower is frozen during training (kept in eval mode, no gradients).</summary>
    [JsonPropertyName("freeze_vision")]
    public bool FreezeVision { get; init; } = true;

    /// <summary>Gets how many frames a clip is sampled to, evenly over its duration (first and last included).</summary>
    [JsonPropertyName("clip_frames")]
    public int ClipFrames { get; init; } = 4;

    /// <summary>Gets the motion tower (frozen), or null. With one, a clip's first-frame region tokens also carry how the object that starts there moves.</summary>
    [JsonPropertyName("motion_config")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MotionRecognizerConfig? Motion { get; init; }

    /// <summary>Gets whether the motion tower samples a clip to a frame count of its own (not <see cref="ClipFrames"/>), so
    /// a clip brings two frame sets: <see cref="ClipFrames"/> for the image tokens, the tower's for its motion read.</summary>
    [JsonIgnore]
    public bool MotionReadsOwnFrames => Motion is { } motion && motion.Frames != ClipFrames;

    /// <summary>Gets the order a caption lists objects in: "shuffled" (any) or "reading" (top, left, centre, right, bottom by starting region).</summary>
    [JsonPropertyName("object_order")]
    public ObjectOrder ObjectOrder { get; init; } = ObjectOrder.Shuffled;

    /// <summary>Gets the motion of the training clips: "any" (drawn uniformly, many changes at a caption threshold) or
    /// "clear" (every change plainly happens or not; <see cref="ClipSampler"/>).</summary>
    [JsonPropertyName("clip_motion")]
    public ClipMotion ClipMotion { get; init; } = ClipMotion.Any;

    /// <summary>Gets the decoder.</summary>
    [JsonPropertyName("text_config")]
    public LlamaConfig Text { get; init; } = new();

    /// <summary>Gets the longest caption, in tokens, generation allows by default.</summary>
    [JsonPropertyName("max_caption_tokens")]
    public int MaxCaptionTokens { get; init; } = 96;

    /// <summary>Gets the number of tokens one frame becomes: the last stage's map (s·s), one background readout token and one per region.</summary>
    [JsonIgnore]
    public int TokensPerFrame => (Vision.FinalMapSide * Vision.FinalMapSide) + 1 + RegionCount;

    /// <summary>Gets the number of object slots (regions) the recognizer reads.</summary>
    [JsonIgnore]
    public static int RegionCount => Enum.GetValues<Synthetic.World.Region>().Length;

    /// <summary>Gets the student: D = 128, 4 layers, 4 heads over 2 KV heads.</summary>
    public static CaptionerConfig Student(int vocabSize) => new()
    {
        Size = "student",
        Text = new LlamaConfig { VocabSize = vocabSize, HiddenSize = 128, IntermediateSize = 352, NumHiddenLayers = 4, NumAttentionHeads = 4, NumKeyValueHeads = 2 },
    };

    /// <summary>Gets the teacher: D = 192, 6 layers, 6 heads over 2 KV heads.</summary>
    public static CaptionerConfig Teacher(int vocabSize) => new()
    {
        Size = "teacher",
        Text = new LlamaConfig { VocabSize = vocabSize, HiddenSize = 192, IntermediateSize = 512, NumHiddenLayers = 6, NumAttentionHeads = 6, NumKeyValueHeads = 2 },
    };

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Vision);
        ArgumentNullException.ThrowIfNull(Text);
        Vision.Validate();
        Text.Validate();
        if (ClipFrames is < 2 or > 16)
        {
            throw new ArgumentException($"clip_frames must be 2-16, got {ClipFrames}", nameof(ClipFrames));
        }

        if (MaxCaptionTokens < 1)
        {
            throw new ArgumentException($"max_caption_tokens must be positive, got {MaxCaptionTokens}", nameof(MaxCaptionTokens));
        }

        if (Motion is not null)
        {
            Motion.Validate();
            if (Motion.ImageSize != Vision.ImageSize)
            {
                throw new ArgumentException($"the motion tower reads frames at {Motion.ImageSize}, the captioner's vision tower at {Vision.ImageSize}", nameof(Motion));
            }
        }

        if (!Enum.IsDefined(ClipMotion))
        {
            throw new ArgumentException($"clip_motion must be any or clear, got {ClipMotion}", nameof(ClipMotion));
        }

        if (!Enum.IsDefined(ObjectOrder))
        {
            throw new ArgumentException($"object_order must be shuffled or reading, got {ObjectOrder}", nameof(ObjectOrder));
        }

        var longest = (ClipFrames * (TokensPerFrame + 1)) + 1 + MaxCaptionTokens;
        if (longest > Text.MaxPositionEmbeddings)
        {
            throw new ArgumentException($"a clip prompt plus max_caption_tokens ({longest}) exceeds max_position_embeddings ({Text.MaxPositionEmbeddings})", nameof(MaxCaptionTokens));
        }
    }
}
