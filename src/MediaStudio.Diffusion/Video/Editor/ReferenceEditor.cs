using MediaStudio.Diffusion.UNet;
using MediaStudio.Neural.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Video.Editor;

/// <summary>
/// The reference-image editor (MimicBrush-style, image tokens in cross-attention): an inpainting UNet on
/// concat[x_t, mask, masked source] whose context is the reference image's patch tokens, or learned null tokens for
/// the unconditional branch of guidance.
/// </summary>
/// <remarks>
/// Notation: x_t (B, 3, S, S) the noisy frame, m (B, 1, S, S) the edit mask (1 = replace), s (B, 3, S, S) the source
/// frame, R (B, 3, S, S) the reference, all images in [-1, 1]. input = [x_t, m, s·(1 − m)]; context = E(R) (B, N, D),
/// or null_tokens (1, N, D) broadcast. Keys: reference_encoder.*, unet.*, null_tokens.
/// </remarks>
public sealed class ReferenceEditor : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly ReferencePatchEncoder reference_encoder;
    private readonly UNet2DConditionModel unet;
    private readonly Parameter null_tokens;

    /// <summary>Builds an untrained editor.</summary>
    public ReferenceEditor(ReferenceEditorConfig config) : base(nameof(ReferenceEditor))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        var width = config.UNet.CrossAttentionDim;
        reference_encoder = new ReferencePatchEncoder(config.ReferenceStemChannels, width, config.ReferencePatch, config.ReferenceTokens);
        unet = new UNet2DConditionModel(config.UNet);
        null_tokens = new Parameter(randn(1, config.ReferenceTokens, width) * 0.02f);
        RegisterComponents();
    }

    /// <summary>Gets the config.</summary>
    public ReferenceEditorConfig Config { get; }

    /// <summary>Gets the UNet (its insertion points take motion modules).</summary>
    public UNet2DConditionModel UNet => unet;

    /// <summary>Loads a model folder strictly, in eval mode.</summary>
    public static ReferenceEditor FromPretrained(string folder, Device? device = null) =>
        ModelFolder.FromPretrained<ReferenceEditor, ReferenceEditorConfig>(folder, c => new ReferenceEditor(c), device);

    /// <summary>Builds the UNet input concat[x_t, m, s·(1 − m)(, hint)] (B, 7 or 11, S, S).</summary>
    /// <param name="noisy">(B, 3, S, S).</param>
    /// <param name="mask">(B, 1, S, S).</param>
    /// <param name="source">(B, 3, S, S).</param>
    /// <param name="hint">(B, 4, S, S) from <see cref="Hint"/>, or null for an editor without the hint.</param>
    public static Tensor Inputs(Tensor noisy, Tensor mask, Tensor source, Tensor? hint)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(source);
        using var scope = NewDisposeScope();
        Tensor[] parts = hint is null ? [noisy, mask, source * (1 - mask)] : [noisy, mask, source * (1 - mask), hint];
        return cat(parts, 1).MoveToOuterDisposeScope();
    }

    /// <summary>The reference placed in each mask's box (B, 4, S, S), or null when this editor reads no hint.</summary>
    /// <param name="reference">(B, 3, S, S), or (1, 3, S, S) for every row.</param>
    /// <param name="mask">(B, 1, S, S).</param>
    /// <param name="drop">(B) bool rows whose reference is dropped (their hint is zero), or null.</param>
    public Tensor? Hint(Tensor reference, Tensor mask, Tensor? drop = null)
    {
        if (!Config.ReferenceHint)
        {
            return null;
        }

        using var scope = NewDisposeScope();
        var hint = ReferenceHint.Place(reference, mask);
        return (drop is null ? hint : ReferenceHint.Drop(hint, drop)).MoveToOuterDisposeScope();
    }

    /// <summary>Reference tokens (B, N, D).</summary>
    public Tensor EncodeReference(Tensor reference) => reference_encoder.forward(reference);

    /// <summary>The null context (B, N, D) of the unconditional branch.</summary>
    public Tensor NullContext(long batch) => null_tokens.expand(batch, -1, -1);

    /// <summary>Replaces the context of the rows where <paramref name="drop"/> is true by the null tokens.</summary>
    /// <param name="context">(B, N, D).</param>
    /// <param name="drop">(B) bool.</param>
    public Tensor DropContext(Tensor context, Tensor drop)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(drop);
        using var scope = NewDisposeScope();
        return where(drop.view(-1, 1, 1), NullContext(context.shape[0]), context).MoveToOuterDisposeScope();
    }

    // (B, 7 or 11, S, S), (B) timesteps, (B, N, D) -> (B, 3, S, S)
    public override Tensor forward(Tensor input, Tensor timesteps, Tensor context) => unet.ForwardMixed(input, timesteps, context, null);

    /// <summary>The denoiser with frame mixing at the UNet's insertion points.</summary>
    public Tensor ForwardMixed(Tensor input, Tensor timesteps, Tensor context, IFrameMixer? mixer) => unet.ForwardMixed(input, timesteps, context, mixer);
}
