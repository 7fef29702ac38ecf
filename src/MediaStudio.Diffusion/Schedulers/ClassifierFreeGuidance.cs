using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Schedulers;

/// <summary>
/// Classifier-free guidance (Ho and Salimans 2022, eq. 6 in output form): out = uncond + s (cond - uncond), with both
/// branches in one batched forward. The unconditional context is whatever the caller chose: the empty prompt's
/// encoding, a negative prompt's, or a learned negative embedding (ReNeg), which may be (T, D) or (1, T, D) and is
/// broadcast to the batch. Gradients flow into both contexts (ReNeg learns the unconditional one through this).
/// </summary>
/// <remarks>
/// Notation: x (B, C, h, w) the model input, t (B) the timesteps, c (B, T, D) the conditional context,
/// n (B, T, D) the unconditional context, s the guidance scale. Scale 1 runs only the conditional branch.
/// </remarks>
public sealed class ClassifierFreeGuidance
{
    private readonly Func<Tensor, Tensor, Tensor, Tensor> _model;
    private readonly Tensor _conditional;
    private readonly Tensor _unconditional;

    /// <summary>Initializes a new instance of the <see cref="ClassifierFreeGuidance"/> class.</summary>
    /// <param name="model">The conditional model (x, t, context) -&gt; output, e.g. a UNet's forward.</param>
    /// <param name="conditionalContext">c (B, T, D); B may be 1 to share one prompt over the batch. Not disposed here.</param>
    /// <param name="unconditionalContext">n (B, T, D), (1, T, D) or (T, D). Not disposed here.</param>
    /// <param name="scale">The guidance scale s.</param>
    /// <exception cref="ArgumentException">A context's rank, T or D is wrong; the message names both shapes.</exception>
    public ClassifierFreeGuidance(Func<Tensor, Tensor, Tensor, Tensor> model, Tensor conditionalContext, Tensor unconditionalContext, double scale)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(conditionalContext);
        ArgumentNullException.ThrowIfNull(unconditionalContext);
        if (!double.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "the guidance scale must be finite");
        }

        if (conditionalContext.dim() != 3)
        {
            throw new ArgumentException(
                $"the conditional context must be (B, T, D), got {Shape(conditionalContext)}", nameof(conditionalContext));
        }

        var rank = unconditionalContext.dim();
        var fits = rank is 2 or 3
            && unconditionalContext.shape[rank - 2] == conditionalContext.shape[1]
            && unconditionalContext.shape[rank - 1] == conditionalContext.shape[2];
        var batch = rank == 3 ? unconditionalContext.shape[0] : 1;
        if (!fits || (batch != 1 && batch != conditionalContext.shape[0] && conditionalContext.shape[0] != 1))
        {
            throw new ArgumentException(
                $"the unconditional context {Shape(unconditionalContext)} does not fit the conditional context {Shape(conditionalContext)}: "
                + "it must be (T, D), (1, T, D) or (B, T, D) with the same T and D",
                nameof(unconditionalContext));
        }

        _model = model;
        _conditional = conditionalContext;
        _unconditional = unconditionalContext;
        Scale = scale;
    }

    /// <summary>Gets the guidance scale s.</summary>
    public double Scale { get; }

    /// <summary>Builds a guided <see cref="Denoiser"/>; see the constructor.</summary>
    /// <param name="model">The conditional model (x, t, context) -&gt; output.</param>
    /// <param name="conditionalContext">c (B, T, D).</param>
    /// <param name="unconditionalContext">n (B, T, D), (1, T, D) or (T, D).</param>
    /// <param name="scale">The guidance scale s.</param>
    /// <returns>The guided denoiser.</returns>
    public static Denoiser Create(Func<Tensor, Tensor, Tensor, Tensor> model, Tensor conditionalContext, Tensor unconditionalContext, double scale) =>
        new ClassifierFreeGuidance(model, conditionalContext, unconditionalContext, scale).Predict;

    /// <summary>out = uncond + s (cond - uncond).</summary>
    /// <param name="unconditional">The unconditional output.</param>
    /// <param name="conditional">The conditional output.</param>
    /// <param name="scale">The guidance scale s.</param>
    /// <returns>The guided output.</returns>
    public static Tensor Combine(Tensor unconditional, Tensor conditional, double scale)
    {
        ArgumentNullException.ThrowIfNull(unconditional);
        ArgumentNullException.ThrowIfNull(conditional);
        using var scope = NewDisposeScope();
        return (unconditional + scale * (conditional - unconditional)).MoveToOuterDisposeScope();
    }

    /// <summary>The guided model output for x (B, ...) at timesteps t (B).</summary>
    /// <param name="x">The model input (B, ...).</param>
    /// <param name="timesteps">The timesteps (B).</param>
    /// <returns>The guided output (B, ...).</returns>
    public Tensor Predict(Tensor x, Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(timesteps);
        using var scope = NewDisposeScope();
        var batch = x.shape[0];
        var cond = Broadcast(_conditional, batch);                                   // (B, T, D)
        if (Scale == 1.0)
        {
            return _model(x, timesteps, cond).MoveToOuterDisposeScope();
        }

        var uncond = Broadcast(_unconditional.dim() == 2 ? _unconditional.unsqueeze(0) : _unconditional, batch); // (B, T, D)
        var output = _model(cat([x, x]), cat([timesteps, timesteps]), cat([uncond, cond])); // (2B, ...)
        var branches = output.chunk(2);
        return Combine(branches[0], branches[1], Scale).MoveToOuterDisposeScope();
    }

    private static Tensor Broadcast(Tensor context, long batch)
    {
        if (context.shape[0] == batch)
        {
            return context;
        }

        if (context.shape[0] != 1)
        {
            throw new ArgumentException($"a context of shape {Shape(context)} does not fit a batch of {batch}", nameof(context));
        }

        return context.expand(batch, -1, -1);
    }

    private static string Shape(Tensor tensor) => $"[{string.Join(", ", tensor.shape)}]";
}
